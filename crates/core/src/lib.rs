//! Tokenvault's core: everything that is not window or command-line glue.
//!
//! - [`profile`]: TOML descriptions of API login dialects, and the built-in presets.
//! - [`auth`]: logging in and refreshing over HTTP as a profile says.
//! - [`freshness`]: when a token may be served and when it is renewed.
//! - [`handover`]: the forms a token is handed over in (`Bearer <token>`, a header line, curl).
//! - [`jwt`]: reading a JWT's claims (unverified, and named so).
//! - [`import`]: an account's profile from what the user has (a curl command of its login).
//! - [`inspect`]: a JWT described for people, and its signature checked when a key is given.
//! - [`opener`]: a page opened in the user's browser, for sign-ins.
//! - [`random`]: unpredictable bytes from the operating system.
//! - [`secret`]: passwords and tokens as a type that cannot leak by accident.
//! - [`team`]: accounts shared through a team's OpenBao or Vault.
//! - [`totp`]: time-based one-time codes, for APIs that ask a second factor at every login.
//! - [`vault`]: the one engine the app and the CLI run: [`Vault`] (accounts, their secrets in
//!   the OS keyring or an encrypted file, fresh tokens renewed once across processes) and its
//!   background [`vault::keeper::Keeper`].
//!
//! This crate deliberately has no desktop dependency: the app and the CLI are thin layers over it.

pub mod auth;
pub mod clock;
pub mod error;
pub mod freshness;
pub mod handover;
pub mod import;
pub mod inspect;
pub mod jwt;
pub mod logging;
pub mod memory;
pub mod opener;
pub mod profile;
pub mod random;
pub mod secret;
pub mod team;
pub mod totp;
pub mod vault;

pub use error::{Error, ErrorCode, Result};
pub use secret::Secret;
pub use vault::Vault;
