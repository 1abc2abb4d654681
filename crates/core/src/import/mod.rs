//! Accounts from what users already have: the login request a curl command sends
//! ([`curl`]).

pub mod curl;
