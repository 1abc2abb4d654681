//! `tokenvault proxy`: a local reverse proxy in front of accounts' APIs that adds each
//! account's fresh token to every request, the way its API wants it.
//!
//! - [`source`]: where tokens come from ([`TokenSource`]: the vault in this process, or a
//!   running agent).
//! - [`upstream`]: one account's API as the proxy reaches it: base URL, TLS trust, and
//!   where its calls carry the token.
//! - [`routing`]: which account a request is for, and its path below the base URL.
//! - [`forward`]: one request: the token added, the client's own credentials dropped,
//!   bodies streamed both ways, one renewal and retry on a 401 when the body can be sent
//!   again.
//! - [`server`]: the listener, its connections, and a graceful stop.
//!
//! The proxy never logs a token and listens on loopback unless told otherwise.

pub mod forward;
pub mod routing;
pub mod server;
pub mod source;
pub mod upstream;

pub use routing::Routing;
pub use server::{Options, Proxy, Started};
pub use source::{TokenFailure, TokenSource};
pub use upstream::Upstream;
