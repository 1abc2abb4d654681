//! What a login proves itself with besides the profile's fixed fields (the user's password,
//! the OAuth client's secret), how the client authenticates on each call to the token
//! endpoint (RFC 6749 §2.3.1), and how a server's refusal of the client is told apart
//! from a refusal of the user.

use base64::Engine;
use serde_json::{Map, Value};

use super::answer::Answer;
use crate::error::{Error, Result};
use crate::profile::{ClientAuth, LoginFlow, Profile};
use crate::secret::Secret;

/// The secrets an account logs in with; which of them it needs follows from its profile
/// ([`Profile::needs_password`], [`Profile::needs_client_secret`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoginSecrets {
    /// The user's password.
    pub password: Option<Secret>,
    /// The OAuth client's secret.
    pub client_secret: Option<Secret>,
    /// This login's one-time code (a second factor), for a profile with `login.otp_field`.
    pub one_time_code: Option<Secret>,
    /// The TOTP secret the codes of an account with a generated second factor come from
    /// (kept, never sent).
    pub totp_secret: Option<Secret>,
}

impl LoginSecrets {
    /// A password alone: what every password login without a confidential client needs.
    pub fn password(password: Secret) -> Self {
        Self {
            password: Some(password),
            ..Self::default()
        }
    }

    /// A client secret alone: what the client-credentials flow needs.
    pub fn client_secret(secret: Secret) -> Self {
        Self {
            client_secret: Some(secret),
            ..Self::default()
        }
    }

    /// Every secret held, to remove from anything a server says back.
    pub fn all(&self) -> Vec<&Secret> {
        self.password
            .iter()
            .chain(&self.client_secret)
            .chain(&self.one_time_code)
            .chain(&self.totp_secret)
            .collect()
    }

    /// The password, or an error naming the field when the profile needs one and it is
    /// missing or empty.
    pub(super) fn required_password(&self) -> Result<&Secret> {
        self.password
            .as_ref()
            .filter(|p| !p.is_empty())
            .ok_or_else(|| Error::InvalidAccount {
                field: "password",
                problem: "give the password".into(),
            })
    }

    /// Whatever of these secrets `profile` needs is here and not empty.
    pub fn check_for(&self, profile: &Profile) -> Result<()> {
        if profile.needs_password() {
            self.required_password()?;
        }
        if profile.needs_client_secret() {
            self.required_client_secret()?;
        }
        Ok(())
    }

    fn required_client_secret(&self) -> Result<&Secret> {
        self.client_secret
            .as_ref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::InvalidAccount {
                field: "client_secret",
                problem: "this API authenticates its OAuth client with a secret: give the \
                          client secret"
                    .into(),
            })
    }
}

/// The id of the client `profile` speaks for, checked: a client that authenticates with
/// a secret, or signs in with the device or browser flow, needs one; another public client
/// may go without (then no `client_id` is sent).
pub fn client_id(profile: &Profile) -> Result<Option<&str>> {
    let Some(client) = &profile.client else {
        return Ok(None);
    };
    match client.id.trim() {
        "" if client.auth.needs_secret() || profile.needs_person() => Err(Error::InvalidAccount {
            field: "client_id",
            problem: "this API authenticates an OAuth client: give its client id".into(),
        }),
        "" => Ok(None),
        id => Ok(Some(id)),
    }
}

/// Adds the client's proof to a call to the token endpoint: an HTTP Basic header, or
/// body fields. Profiles without a `[client]` send nothing more.
pub(super) fn authenticate_client(
    mut request: reqwest::RequestBuilder,
    fields: &mut Map<String, Value>,
    profile: &Profile,
    secrets: &LoginSecrets,
) -> Result<reqwest::RequestBuilder> {
    let (Some(client), Some(id)) = (&profile.client, client_id(profile)?) else {
        return Ok(request);
    };
    match client.auth {
        ClientAuth::ClientSecretBasic => {
            let secret = secrets.required_client_secret()?;
            request = request.header(
                reqwest::header::AUTHORIZATION,
                basic_credentials(id, secret.expose()),
            );
        }
        ClientAuth::ClientSecretPost => {
            let secret = secrets.required_client_secret()?;
            fields.insert("client_id".into(), Value::String(id.to_owned()));
            fields.insert(
                "client_secret".into(),
                Value::String(secret.expose().to_owned()),
            );
        }
        ClientAuth::None => {
            fields.insert("client_id".into(), Value::String(id.to_owned()));
        }
    }
    Ok(request)
}

/// `Basic base64(id:secret)`, each form-urlencoded first as RFC 6749 §2.3.1 asks.
fn basic_credentials(id: &str, secret: &str) -> String {
    let encode =
        |text: &str| url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", encode(id), encode(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// The refusal of a token-endpoint call as a refusal of the client, when it is one:
/// `invalid_client` or `unauthorized_client` (RFC 6749 §5.2), a 401 that asks for HTTP
/// Basic from a client that sent it, or any 400/401 of the client-credentials flow (there
/// is no user to refuse).
pub(super) fn client_refusal(
    answer: &Answer,
    profile: &Profile,
    detail: impl FnOnce() -> Option<String>,
) -> Option<Error> {
    let client = profile.client.as_ref()?;
    if !matches!(answer.status, 400 | 401) {
        return None;
    }
    let code = answer.oauth_error();
    let named = matches!(
        code.as_deref(),
        Some("invalid_client" | "unauthorized_client")
    );
    let basic_challenge = answer.status == 401
        && client.auth == ClientAuth::ClientSecretBasic
        && answer
            .header("www-authenticate")
            .is_some_and(|c| c.trim_start().to_ascii_lowercase().starts_with("basic"));
    let no_user = profile.login.flow == LoginFlow::ClientCredentials;
    (named || basic_challenge || no_user).then(|| Error::ClientRejected {
        client_id: client.id.clone(),
        status: answer.status,
        detail: detail(),
    })
}

/// The refusal of a login as a matter of its one-time code, when the server's words say
/// so (`INVALID_OTP`, "one-time code", "two-factor", "MFA"): refused when a code was sent,
/// required when none was.
pub(super) fn otp_refusal(
    answer: &Answer,
    profile: &Profile,
    identity: &str,
    code_sent: bool,
    detail: Option<String>,
) -> Option<Error> {
    if !matches!(answer.status, 400 | 401 | 403 | 422) {
        return None;
    }
    let text = String::from_utf8_lossy(&answer.body).to_ascii_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let named = words
        .iter()
        .any(|w| matches!(*w, "otp" | "totp" | "mfa" | "2fa" | "tfa"))
        || [
            "one-time",
            "one time",
            "two-factor",
            "two factor",
            "second factor",
        ]
        .iter()
        .any(|phrase| text.contains(phrase));
    if !named {
        return None;
    }
    Some(if code_sent {
        Error::OtpRejected {
            identity: identity.to_owned(),
            status: answer.status,
            detail,
        }
    } else {
        let advice = if profile.login.otp_field.is_none() {
            "the server asks for one and the profile does not say where it goes: set \
             login.otp_field (Directus: otp), then add the account with --otp totp or --otp ask"
        } else {
            "the account has no second factor: add it again with --otp totp (its TOTP secret) \
             or --otp ask"
        };
        Error::OtpRequired {
            identity: identity.to_owned(),
            advice: advice.into(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::preset;

    fn with_client(auth: &str, flow: &str) -> Profile {
        preset("oauth2-password")
            .unwrap()
            .profile
            .with_overrides(&[
                ("client.id".into(), "reporting".into()),
                ("client.auth".into(), auth.into()),
                ("login.flow".into(), flow.into()),
            ])
            .unwrap()
    }

    fn refused(status: u16, body: &str, challenge: Option<&str>) -> Answer {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(challenge) = challenge {
            headers.insert("www-authenticate", challenge.parse().unwrap());
        }
        Answer {
            url: "https://idp.example/token".into(),
            status,
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn basic_credentials_are_form_encoded_before_base64() {
        let header = basic_credentials("my client", "p@ss:word");
        let encoded = header.strip_prefix("Basic ").unwrap();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap();
        assert_eq!(
            String::from_utf8(decoded).unwrap(),
            "my+client:p%40ss%3Aword"
        );
    }

    #[test]
    fn invalid_client_is_a_refusal_of_the_client_not_of_the_user() {
        let profile = with_client("client_secret_post", "password");
        let answer = refused(401, r#"{"error":"invalid_client"}"#, None);
        let error = client_refusal(&answer, &profile, || None).unwrap();
        assert_eq!(error.code(), "client_rejected");
        assert_eq!(
            error.to_string(),
            "the server rejected the OAuth client `reporting` (HTTP 401)"
        );
        let wrong_password = refused(400, r#"{"error":"invalid_grant"}"#, None);
        assert!(client_refusal(&wrong_password, &profile, || None).is_none());
    }

    #[test]
    fn a_basic_challenge_after_basic_credentials_names_the_client() {
        let profile = with_client("client_secret_basic", "password");
        let answer = refused(401, "", Some("Basic realm=\"token\""));
        assert!(client_refusal(&answer, &profile, || None).is_some());
        let public = with_client("none", "password");
        assert!(client_refusal(&answer, &public, || None).is_none());
    }

    #[test]
    fn the_client_credentials_flow_has_no_user_to_refuse() {
        let profile = with_client("client_secret_basic", "client-credentials");
        let answer = refused(400, "", None);
        assert_eq!(
            client_refusal(&answer, &profile, || None).unwrap().code(),
            "client_rejected"
        );
    }

    #[test]
    fn a_refusal_that_speaks_of_a_one_time_code_is_about_the_code() {
        let profile = preset("prive").unwrap().profile.clone();
        let directus = refused(
            401,
            r#"{"errors":[{"message":"Invalid user OTP.","extensions":{"code":"INVALID_OTP"}}]}"#,
            None,
        );
        let sent = otp_refusal(&directus, &profile, "ana", true, None).unwrap();
        assert_eq!(sent.code(), "otp_rejected");
        let missing = otp_refusal(&directus, &profile, "ana", false, None).unwrap();
        assert_eq!(missing.code(), "otp_required");
        assert!(missing.to_string().contains("login.otp_field"), "{missing}");
        for words in [
            r#"{"detail":"Two-factor authentication required"}"#,
            r#"{"error":"mfa_required"}"#,
            r#"{"message":"enter the one-time code"}"#,
        ] {
            assert!(otp_refusal(&refused(401, words, None), &profile, "a", false, None).is_some());
        }
        for words in [
            r#"{"detail":"No active account found with the given credentials"}"#,
            r#"{"message":"footprint of the hotpot"}"#,
        ] {
            assert!(otp_refusal(&refused(401, words, None), &profile, "a", true, None).is_none());
        }
    }

    #[test]
    fn a_profile_without_a_client_never_blames_one() {
        let profile = preset("prive").unwrap().profile.clone();
        let answer = refused(401, r#"{"error":"invalid_client"}"#, None);
        assert!(client_refusal(&answer, &profile, || None).is_none());
    }

    #[test]
    fn a_client_without_an_id_or_a_needed_secret_is_named_as_the_field_to_give() {
        let mut profile = with_client("client_secret_basic", "password");
        let secrets = LoginSecrets::password(Secret::new("pw"));
        match secrets.check_for(&profile) {
            Err(Error::InvalidAccount { field, .. }) => assert_eq!(field, "client_secret"),
            other => panic!("expected the client secret to be asked for, got {other:?}"),
        }
        profile.client.as_mut().unwrap().id.clear();
        match client_id(&profile) {
            Err(Error::InvalidAccount { field, .. }) => assert_eq!(field, "client_id"),
            other => panic!("expected the client id to be asked for, got {other:?}"),
        }
    }
}
