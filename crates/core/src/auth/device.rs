//! The device authorization grant (RFC 8628): the vault asks for a code, a person approves
//! it in a browser anywhere, and the vault polls the token endpoint at the server's pace
//! until the tokens come, the person refuses, or the code expires.

use std::time::Duration;

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::answer::Answer;
use super::client::{Authenticator, Target, fixed_fields, server_detail, status_error, with_body};
use super::client_auth::{LoginSecrets, authenticate_client};
use super::sign_in::{SignIn, SignInPrompt};
use super::token::TokenSet;
use crate::error::{Error, Result};
use crate::profile::Method;
use crate::secret::Secret;

const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// What a person must do to approve a sign-in: open the page and enter the code. None of
/// it is a secret (it is shown on screen); the device code that the vault polls with is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSignIn {
    /// The code to enter, such as `WDJB-MJHT`.
    pub user_code: String,
    /// Where to enter it.
    pub verification_uri: String,
    /// The page with the code already in it, when the server gives one.
    pub verification_uri_complete: Option<String>,
    /// When the code stops working.
    pub expires_at: OffsetDateTime,
}

/// A started device sign-in: what to show, and the secret device code.
#[derive(Debug)]
struct Started {
    shown: DeviceSignIn,
    device_code: Secret,
    interval: Duration,
    lifetime: Duration,
}

/// One poll's outcome.
enum Poll {
    Pending,
    SlowDown,
    Expired,
    Tokens(Box<TokenSet>),
}

impl Authenticator {
    /// Signs in with the device flow: asks for a code, shows it with `prompt`, and polls
    /// until the person approves it (the tokens), refuses it ([`Error::SignInDenied`]) or
    /// lets it expire ([`Error::SignInExpired`]). `slow_down` adds five seconds to the pace.
    pub(super) async fn device_sign_in(
        &self,
        target: &Target,
        secrets: &LoginSecrets,
        prompt: &dyn SignInPrompt,
    ) -> Result<TokenSet> {
        let started = self.device_start(target, secrets).await?;
        prompt.show(&SignIn::Device(started.shown.clone()));
        let mut interval = started.interval;
        let expired = || Error::SignInExpired {
            after: started.lifetime,
        };
        loop {
            tokio::time::sleep(interval).await;
            let now = OffsetDateTime::now_utc();
            if now >= started.shown.expires_at {
                return Err(expired());
            }
            match self
                .device_poll(target, secrets, &started.device_code, now)
                .await?
            {
                Poll::Pending => {}
                Poll::SlowDown => interval += Duration::from_secs(5),
                Poll::Expired => return Err(expired()),
                Poll::Tokens(tokens) => return Ok(*tokens),
            }
        }
    }

    async fn device_start(&self, target: &Target, secrets: &LoginSecrets) -> Result<Started> {
        let fields = fixed_fields(&target.profile().login.fields);
        let (request, url) = self.login_request(target, fields, secrets)?;
        let said = secrets.all();
        let answer = self.send(request, &url, &said).await?;
        if !(200..300).contains(&answer.status) {
            return Err(status_error(&answer, &said));
        }
        let started_at = OffsetDateTime::now_utc();
        let json = answer.json().map_err(|_| unexpected(&answer))?;
        let text = |key: &str| json.get(key).and_then(Value::as_str).map(str::to_owned);
        let (Some(device_code), Some(user_code), Some(verification_uri)) = (
            text("device_code"),
            text("user_code"),
            text("verification_uri").or_else(|| text("verification_url")),
        ) else {
            return Err(unexpected(&answer));
        };
        let seconds = |key: &str| json.get(key).and_then(Value::as_u64);
        // RFC 8628 §3.2: expires_in is required; interval defaults to five seconds.
        let expires_in = seconds("expires_in").unwrap_or(600).min(86_400);
        let interval = seconds("interval").unwrap_or(5).clamp(1, 60);
        Ok(Started {
            shown: DeviceSignIn {
                user_code,
                verification_uri,
                verification_uri_complete: text("verification_uri_complete"),
                expires_at: started_at + time::Duration::seconds(expires_in as i64),
            },
            device_code: Secret::new(device_code),
            interval: Duration::from_secs(interval),
            lifetime: Duration::from_secs(expires_in),
        })
    }

    async fn device_poll(
        &self,
        target: &Target,
        secrets: &LoginSecrets,
        device_code: &Secret,
        now: OffsetDateTime,
    ) -> Result<Poll> {
        let profile = target.profile();
        let token_path = profile.login.token_path.as_deref().unwrap_or("/token");
        let url = target.url(token_path);
        let mut fields = Map::new();
        fields.insert("grant_type".into(), Value::String(GRANT_TYPE.into()));
        fields.insert(
            "device_code".into(),
            Value::String(device_code.expose().to_owned()),
        );
        let request = self.request(Method::Post, &url);
        let request = authenticate_client(request, &mut fields, profile, secrets)?;
        let request = with_body(request, crate::profile::BodyEncoding::Form, &fields);
        let mut said = secrets.all();
        said.push(device_code);
        let answer = self.send(request, &url, &said).await?;
        if (200..300).contains(&answer.status) {
            return Ok(Poll::Tokens(Box::new(
                self.tokens_from(target, &answer, now)?,
            )));
        }
        match answer.oauth_error().as_deref() {
            Some("authorization_pending") => Ok(Poll::Pending),
            Some("slow_down") => Ok(Poll::SlowDown),
            Some("access_denied") => Err(Error::SignInDenied {
                url: answer.url.clone(),
                detail: server_detail(&answer, &said),
            }),
            Some("expired_token") => Ok(Poll::Expired),
            _ => Err(status_error(&answer, &said)),
        }
    }
}

fn unexpected(answer: &Answer) -> Error {
    Error::UnexpectedResponse {
        url: answer.url.clone(),
        expected: "a device authorization: device_code, user_code and verification_uri".into(),
        got: answer.describe(),
    }
}
