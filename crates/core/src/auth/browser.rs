//! Browser sign-in: the authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636) as a
//! native app does it (RFC 8252). The system browser opens the server's own sign-in page
//! with a `state` and a code challenge; the server sends the browser back to a listener on
//! 127.0.0.1 with a code; the code is exchanged for tokens with the verifier only this
//! process knows. A redirect whose `state` is not the one sent is refused, whatever it
//! carries.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::client::{Authenticator, Target, fixed_fields, server_detail, status_error, with_body};
use super::client_auth::{LoginSecrets, authenticate_client, client_id, client_refusal};
use super::loopback::Loopback;
use super::sign_in::{SignIn, SignInPrompt};
use super::token::TokenSet;
use crate::error::{Error, Result};
use crate::profile::{BodyEncoding, Method};
use crate::random;
use crate::secret::Secret;

/// What the person is shown: the page to sign in on. It carries no secret (the state and
/// the code challenge are made to be seen; the verifier never leaves this process).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserSignIn {
    /// The server's authorization page, with this sign-in's parameters.
    pub url: String,
    /// When the vault stops waiting for the browser.
    pub expires_at: OffsetDateTime,
}

/// A PKCE pair (RFC 7636 §4.1-4.2): the verifier stays here, the challenge goes out.
struct Pkce {
    verifier: Secret,
    challenge: String,
}

impl Pkce {
    fn new() -> Self {
        let verifier = Secret::new(random::url_safe::<32>());
        let challenge = s256(verifier.expose());
        Self {
            verifier,
            challenge,
        }
    }
}

/// `BASE64URL(SHA256(verifier))`, the S256 challenge method.
fn s256(verifier: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl Authenticator {
    /// Signs in in the browser: opens the server's page through `prompt`, waits up to
    /// [`SignInPrompt::browser_wait`] for the browser to come back, checks the `state`,
    /// and exchanges the code. The page the browser ends on says how it went.
    pub(super) async fn browser_sign_in(
        &self,
        target: &Target,
        secrets: &LoginSecrets,
        prompt: &dyn SignInPrompt,
    ) -> Result<TokenSet> {
        let loopback = Loopback::bind(target.profile().login.redirect_port).await?;
        let redirect_uri = loopback.redirect_uri();
        let pkce = Pkce::new();
        let state = random::url_safe::<16>();
        let url = authorization_url(target, &redirect_uri, &state, &pkce.challenge)?;
        let wait = prompt.browser_wait();
        let expires_at = OffsetDateTime::now_utc() + wait;
        prompt.show(&SignIn::Browser(BrowserSignIn { url, expires_at }));
        let callback = tokio::time::timeout(wait, loopback.callback())
            .await
            .map_err(|_| Error::SignInExpired { after: wait })?;
        let code = match came_back_with(&callback, &state, target) {
            Ok(code) => code,
            Err(error) => {
                callback.answer(&Err(error.clone())).await;
                return Err(error);
            }
        };
        let outcome = self
            .exchange_code(target, secrets, &code, &redirect_uri, &pkce.verifier)
            .await;
        callback
            .answer(&outcome.as_ref().map(drop).map_err(Clone::clone))
            .await;
        outcome
    }

    /// Trades the authorization code for tokens (RFC 6749 §4.1.3), with the verifier.
    async fn exchange_code(
        &self,
        target: &Target,
        secrets: &LoginSecrets,
        code: &Secret,
        redirect_uri: &str,
        verifier: &Secret,
    ) -> Result<TokenSet> {
        let profile = target.profile();
        let url = target.url(profile.login.token_path.as_deref().unwrap_or("/token"));
        let mut fields = Map::new();
        for (name, value) in [
            ("grant_type", "authorization_code"),
            ("code", code.expose()),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier.expose()),
        ] {
            fields.insert(name.into(), Value::String(value.to_owned()));
        }
        let request = self.request(Method::Post, &url);
        let request = authenticate_client(request, &mut fields, profile, secrets)?;
        let request = with_body(request, BodyEncoding::Form, &fields);
        let mut said = secrets.all();
        said.extend([code, verifier]);
        let answer = self.send(request, &url, &said).await?;
        if (200..300).contains(&answer.status) {
            return self.tokens_from(target, &answer, OffsetDateTime::now_utc());
        }
        let detail = || server_detail(&answer, &said);
        if let Some(refusal) = client_refusal(&answer, profile, detail) {
            return Err(refusal);
        }
        if answer.oauth_error().as_deref() == Some("invalid_grant") {
            return Err(Error::SignInDenied {
                url: answer.url.clone(),
                detail: Some(match detail() {
                    Some(said) => format!("the authorization code was refused: {said}"),
                    None => "the authorization code was refused (used already, or expired)".into(),
                }),
            });
        }
        Err(status_error(&answer, &said))
    }
}

/// The authorization page's URL: the login path, its fixed fields (`scope`, ...), and this
/// sign-in's client, redirect, state and challenge.
fn authorization_url(
    target: &Target,
    redirect_uri: &str,
    state: &str,
    challenge: &str,
) -> Result<String> {
    let profile = target.profile();
    let page = target.url(&profile.login.path);
    let mut url = reqwest::Url::parse(&page).map_err(|e| Error::InvalidBaseUrl {
        url: page.clone(),
        problem: e.to_string(),
    })?;
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("response_type", "code");
        if let Some(id) = client_id(profile)? {
            query.append_pair("client_id", id);
        }
        query.append_pair("redirect_uri", redirect_uri);
        for (name, value) in fixed_fields(&profile.login.fields) {
            if let Value::String(value) = value {
                query.append_pair(&name, &value);
            }
        }
        query.append_pair("state", state);
        // OpenID Connect servers may insist on a nonce (Glewlwyd does for `openid`); plain
        // OAuth servers ignore it. PKCE, not the nonce, binds the code to this sign-in.
        query.append_pair("nonce", &random::url_safe::<16>());
        query.append_pair("code_challenge", challenge);
        query.append_pair("code_challenge_method", "S256");
    }
    Ok(url.into())
}

/// The code the browser came back with, once its `state` is this sign-in's and it carries
/// no error.
fn came_back_with(
    callback: &super::loopback::Callback,
    state: &str,
    target: &Target,
) -> Result<Secret> {
    // The state first: an answer to somebody else's request is not read any further.
    if callback.param("state") != Some(state) {
        return Err(Error::SignInMismatch);
    }
    let page = target.url(&target.profile().login.path);
    if let Some(error) = callback.param("error") {
        let description = callback.param("error_description");
        return Err(Error::SignInDenied {
            url: page,
            detail: Some(match (error, description) {
                ("access_denied", None) => "the sign-in was not allowed (access_denied)".into(),
                (code, None) => code.to_owned(),
                (code, Some(text)) => format!("{text} ({code})"),
            }),
        });
    }
    match callback.param("code").filter(|code| !code.is_empty()) {
        Some(code) => Ok(Secret::new(code)),
        None => Err(Error::UnexpectedResponse {
            url: page,
            expected: "the browser sent back with an authorization code".into(),
            got: "a redirect with neither a code nor an error".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_the_s256_of_the_verifier_as_rfc_7636_shows() {
        // RFC 7636, appendix B.
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn each_sign_in_has_its_own_verifier() {
        let (a, b) = (Pkce::new(), Pkce::new());
        assert_ne!(a.verifier.expose(), b.verifier.expose());
        assert_eq!(a.verifier.expose().len(), 43);
        assert_eq!(a.challenge, s256(a.verifier.expose()));
    }

    #[test]
    fn the_authorization_url_carries_the_client_redirect_scope_state_and_challenge() {
        let profile = crate::profile::preset("oidc")
            .unwrap()
            .profile
            .clone()
            .with_client_id(Some("web app"))
            .unwrap();
        let target = Target::new(profile, "https://id.example/realms/x/", false).unwrap();
        let url = authorization_url(&target, "http://127.0.0.1:5000/callback", "st", "ch").unwrap();
        let parsed = reqwest::Url::parse(&url).unwrap();
        assert_eq!(parsed.path(), "/realms/x/authorize");
        let query: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        let value = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(value("response_type"), Some("code"));
        assert_eq!(value("client_id"), Some("web app"));
        assert_eq!(
            value("redirect_uri"),
            Some("http://127.0.0.1:5000/callback")
        );
        assert_eq!(value("scope"), Some("openid offline_access"));
        assert_eq!(value("state"), Some("st"));
        assert_eq!(value("code_challenge"), Some("ch"));
        assert_eq!(value("code_challenge_method"), Some("S256"));
        assert_eq!(value("nonce").map(str::len), Some(22));
        assert!(!url.contains("code_verifier"));
    }
}
