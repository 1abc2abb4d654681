//! Accounts from what users already have: the login request a curl command sends
//! ([`curl`]), made into a profile's login ([`login`]), and where the real answer to it
//! carries the tokens ([`detect`]); the whole profile, with its refresh tried only when the
//! user agrees ([`draft`]); a browser's HAR file read as a stream ([`har`], [`from_har`]);
//! the logins of a Postman collection ([`postman`]).

pub mod curl;
pub mod detect;
pub mod draft;
pub mod from_har;
pub mod har;
pub mod login;
pub mod postman;
pub mod postman_script;
