//! Accounts from what users already have: the login request a curl command sends
//! ([`curl`]), made into a profile's login ([`login`]).

pub mod curl;
pub mod login;
