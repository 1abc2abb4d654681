//! Where the proxy's tokens come from.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use time::Duration;
use tokenvault_core::Vault;
use tokenvault_core::auth::Token;

/// A boxed future, as a trait object's methods return them.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why no token could be had: said to the client in the proxy's answer, so never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFailure {
    /// The stable error code (`login_rejected`, `network`, ...).
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
}

impl std::fmt::Display for TokenFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl From<tokenvault_core::Error> for TokenFailure {
    fn from(error: tokenvault_core::Error) -> Self {
        Self {
            code: error.code().to_string(),
            message: error.to_string(),
        }
    }
}

/// Fresh tokens of the accounts the proxy serves.
pub trait TokenSource: Send + Sync + 'static {
    /// A token of `account` valid for at least `min_valid` (renewed first if not).
    fn token<'a>(
        &'a self,
        account: &'a str,
        min_valid: Duration,
    ) -> Pending<'a, Result<Token, TokenFailure>>;

    /// A new token of `account`, whatever the one held (its API refused that one).
    fn renew<'a>(&'a self, account: &'a str) -> Pending<'a, Result<Token, TokenFailure>>;
}

/// The vault this process holds open (the app's, or the command line's without an agent).
impl TokenSource for Arc<Vault> {
    fn token<'a>(
        &'a self,
        account: &'a str,
        min_valid: Duration,
    ) -> Pending<'a, Result<Token, TokenFailure>> {
        Box::pin(async move {
            let (token, _) = self.access_token(account, min_valid).await?;
            Ok(token)
        })
    }

    fn renew<'a>(&'a self, account: &'a str) -> Pending<'a, Result<Token, TokenFailure>> {
        Box::pin(async move {
            let (token, _) = self.renew_now(account).await?;
            Ok(token)
        })
    }
}
