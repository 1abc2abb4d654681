//! Accounts from what users already have: the login request a curl command sends
//! ([`curl`]), made into a profile's login ([`login`]), and where the real answer to it
//! carries the tokens ([`detect`]).

pub mod curl;
pub mod detect;
pub mod login;
