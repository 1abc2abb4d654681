//! Sign-ins that need a person, shown on stderr: the device flow's code and page, or the
//! browser flow's page, opened in the system browser unless `--no-browser` says not to.

use std::time::Duration;

use tokenvault_core::auth::{SignIn, SignInPrompt};
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::opener::open_in_browser;

use crate::args::SignInArgs;
use crate::output;

/// Shows a sign-in on stderr, and opens the browser for a browser sign-in.
#[derive(Debug)]
pub struct StderrPrompt {
    open_browser: bool,
    wait: Duration,
}

impl StderrPrompt {
    /// The prompt `--no-browser` and `--wait` ask for.
    pub fn new(args: SignInArgs) -> Self {
        Self {
            open_browser: !args.no_browser,
            wait: Duration::from_secs(args.wait.max(1)),
        }
    }
}

impl SignInPrompt for StderrPrompt {
    fn show(&self, sign_in: &SignIn) {
        let left = output::left_in_words(Some(sign_in.expires_at()), SystemClock.now());
        match sign_in {
            SignIn::Device(device) => {
                let page = device
                    .verification_uri_complete
                    .as_deref()
                    .unwrap_or(&device.verification_uri);
                output::note(&format!(
                    "to sign in, open {page} and enter the code {} (it expires in {left}); \
                     waiting…",
                    device.user_code
                ));
            }
            SignIn::Browser(browser) => {
                let opened = if self.open_browser {
                    open_in_browser(&browser.url)
                } else {
                    Err("--no-browser".to_owned())
                };
                match opened {
                    Ok(()) => output::note(&format!(
                        "sign in in the browser that opened; if none did, open this page:\n{}\n\
                         waiting up to {left} for the browser to come back…",
                        browser.url
                    )),
                    Err(why) => output::note(&format!(
                        "to sign in, open this page in a browser on this machine ({why}):\n{}\n\
                         waiting up to {left} for the browser to come back…",
                        browser.url
                    )),
                }
            }
        }
    }

    fn browser_wait(&self) -> Duration {
        self.wait
    }
}
