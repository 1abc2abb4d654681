//! The auth engine: log in and refresh as a profile describes, over real HTTP.

mod answer;
mod browser;
mod calls;
mod client;
mod client_auth;
mod device;
mod discovery;
mod extract;
mod introspection;
mod loopback;
mod revocation;
mod sign_in;
mod token;

pub use answer::{Answer, SetCookie};
pub use browser::BrowserSignIn;
pub use calls::{CreatedPrivateToken, OttOutcome, PrivateTokenInfo, Validation};
pub(crate) use client::transport_failure;
pub use client::{Authenticator, HttpOptions, Target, is_loopback, trusting};
pub use client_auth::{LoginSecrets, client_id};
pub use device::DeviceSignIn;
pub use discovery::{Discovery, discovery_url};
pub use extract::{ENVELOPES, TokenKind, find_token, read_instant, require_token};
pub use introspection::Introspection;
pub use revocation::TokenHint;
pub use sign_in::{BROWSER_WAIT, SignIn, SignInPrompt};
pub use token::{Token, TokenSet};
