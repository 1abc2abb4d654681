//! The auth engine: log in and refresh as a profile describes, over real HTTP.

mod answer;
mod calls;
mod client;
mod extract;
mod token;

pub use answer::{Answer, SetCookie};
pub use calls::{CreatedPrivateToken, OttOutcome, PrivateTokenInfo, Validation};
pub use client::{Authenticator, HttpOptions, Target};
pub use extract::{TokenKind, find_token, require_token};
pub use token::{Token, TokenSet};
