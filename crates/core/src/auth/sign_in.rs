//! Sign-ins that need a person: the device flow (a code approved in any browser) and the
//! browser flow (the server's own sign-in page, sent back to this machine). Both show the
//! person what to do through a [`SignInPrompt`], and neither ever starts in the background.

use std::time::Duration;

use time::OffsetDateTime;

use super::browser::BrowserSignIn;
use super::client::{Authenticator, Target};
use super::client_auth::LoginSecrets;
use super::device::DeviceSignIn;
use super::token::TokenSet;
use crate::error::{Error, Result};
use crate::profile::LoginFlow;

/// How long a browser sign-in waits for the browser to come back, unless the prompt says
/// otherwise: long enough to type a password and a second factor, short enough that a
/// closed browser does not keep a command waiting for ever.
pub const BROWSER_WAIT: Duration = Duration::from_secs(300);

/// What a person is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// Enter a code on a page, in any browser.
    Device(DeviceSignIn),
    /// Sign in on the server's page, opened in this machine's browser.
    Browser(BrowserSignIn),
}

impl SignIn {
    /// When the sign-in stops waiting.
    pub fn expires_at(&self) -> OffsetDateTime {
        match self {
            SignIn::Device(device) => device.expires_at,
            SignIn::Browser(browser) => browser.expires_at,
        }
    }
}

/// Someone to show a sign-in to (the command line's stderr, the app's window).
pub trait SignInPrompt: Send + Sync {
    /// Shows what the person must do, and for a browser sign-in opens the page; called once
    /// per sign-in, before the vault starts waiting.
    fn show(&self, sign_in: &SignIn);

    /// How long a browser sign-in waits for the browser to come back.
    fn browser_wait(&self) -> Duration {
        BROWSER_WAIT
    }
}

impl Authenticator {
    /// Signs in as the profile's flow says, with a person shown what to do by `prompt`.
    pub async fn sign_in(
        &self,
        target: &Target,
        secrets: &LoginSecrets,
        prompt: &dyn SignInPrompt,
    ) -> Result<TokenSet> {
        match target.profile().login.flow {
            LoginFlow::Device => self.device_sign_in(target, secrets, prompt).await,
            LoginFlow::Browser => self.browser_sign_in(target, secrets, prompt).await,
            LoginFlow::Password | LoginFlow::ClientCredentials => Err(Error::InvalidProfile {
                origin: format!("preset:{}", target.profile().id),
                field: "login.flow".into(),
                problem: "this login needs no person: it is not a sign-in".into(),
            }),
        }
    }
}
