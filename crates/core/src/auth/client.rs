//! Sending the login and refresh calls of a profile.

use std::time::Duration;

use reqwest::{Url, header::HeaderMap};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::answer::{Answer, at_path};
use super::client_auth::{LoginSecrets, authenticate_client, client_refusal, otp_refusal};
use super::extract::{TokenKind, find_token, require_token};
use super::token::TokenSet;
use crate::error::{Error, Result};
use crate::profile::{BodyEncoding, LoginFlow, Method, Profile, TokenPlacement};
use crate::secret::{Secret, redact};

/// Settings of the HTTP client.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Limit for a whole call, connection included.
    pub timeout: Duration,
    /// Largest body read from an answer.
    pub max_body_bytes: usize,
    /// An extra CA certificate (PEM) to trust, for servers behind an enterprise CA.
    pub extra_ca_pem: Option<Vec<u8>>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(15),
            max_body_bytes: 1024 * 1024,
            extra_ca_pem: None,
        }
    }
}

/// An API to talk to: its profile and the account's base URL.
#[derive(Debug, Clone)]
pub struct Target {
    profile: Profile,
    base_url: Url,
}

impl Target {
    /// Checks the base URL: `https`, or plain `http` only on loopback unless
    /// `allow_plain_http` says the account opted in.
    pub fn new(profile: Profile, base_url: &str, allow_plain_http: bool) -> Result<Self> {
        let parsed = Url::parse(base_url.trim());
        // A URL may carry a password (`https://user:pw@host`): never repeat it in an error.
        let shown = match &parsed {
            Ok(url) if !url.username().is_empty() || url.password().is_some() => {
                let mut clean = url.clone();
                let _ = clean.set_username("");
                let _ = clean.set_password(None);
                clean.to_string()
            }
            Ok(url) => url.to_string(),
            Err(_) => base_url.to_owned(),
        };
        let invalid = |problem: &str| Error::InvalidBaseUrl {
            url: shown.clone(),
            problem: problem.into(),
        };
        let url = parsed.map_err(|e| invalid(&e.to_string()))?;
        match url.scheme() {
            "https" => {}
            "http" if allow_plain_http || is_loopback(&url) => {}
            "http" => {
                return Err(invalid(
                    "plain http is only allowed for loopback addresses; use https or opt in",
                ));
            }
            other => return Err(invalid(&format!("scheme `{other}` is not http or https"))),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("credentials do not belong in the URL"));
        }
        // Endpoints given as whole URLs (discovered on another host) follow the same rule.
        for (key, endpoint) in profile.absolute_urls() {
            let parsed = Url::parse(endpoint).map_err(|e| Error::InvalidProfile {
                origin: format!("preset:{}", profile.id),
                field: key.into(),
                problem: e.to_string(),
            })?;
            match parsed.scheme() {
                "https" => {}
                "http" if allow_plain_http || is_loopback(&parsed) => {}
                _ => {
                    return Err(Error::InvalidProfile {
                        origin: format!("preset:{}", profile.id),
                        field: key.into(),
                        problem: format!(
                            "{endpoint}: plain http is only allowed for loopback addresses; \
                             use https or opt in"
                        ),
                    });
                }
            }
        }
        Ok(Self {
            profile,
            base_url: url,
        })
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The URL of an endpoint: a path below the base URL, or a whole URL as it is.
    pub(crate) fn url(&self, path: &str) -> String {
        if crate::profile::is_absolute(path) {
            return path.to_owned();
        }
        format!("{}{}", self.base_url.as_str().trim_end_matches('/'), path)
    }
}

/// Whether `url`'s host is this machine (`localhost`, 127.0.0.0/8, ::1).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `builder` trusting the certificates of `extra_ca_pem` (a PEM bundle) beside the usual
/// roots: an account's extra CA, for every client that talks to its API.
pub fn trusting(
    mut builder: reqwest::ClientBuilder,
    extra_ca_pem: Option<&[u8]>,
) -> Result<reqwest::ClientBuilder> {
    let Some(pem) = extra_ca_pem else {
        return Ok(builder);
    };
    let not_pem = |why: String| Error::Tls {
        url: String::new(),
        reason: format!("the extra CA certificate is not a valid PEM certificate: {why}"),
    };
    let certificates =
        reqwest::Certificate::from_pem_bundle(pem).map_err(|e| not_pem(e.to_string()))?;
    if certificates.is_empty() {
        return Err(not_pem("no BEGIN CERTIFICATE block found".to_owned()));
    }
    for certificate in certificates {
        builder = builder.add_root_certificate(certificate);
    }
    Ok(builder)
}

/// Performs logins and refreshes; cheap to clone, one per process is enough.
#[derive(Debug, Clone)]
pub struct Authenticator {
    http: reqwest::Client,
    options: HttpOptions,
}

impl Authenticator {
    /// A client with TLS verification on, no redirects followed and no cookie jar
    /// (each call carries exactly the cookies the profile names).
    pub fn new(options: HttpOptions) -> Result<Self> {
        let http = trusting(reqwest::Client::builder(), options.extra_ca_pem.as_deref())?
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("tokenvault/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Tls {
                url: String::new(),
                reason: e.to_string(),
            })?;
        Ok(Self { http, options })
    }

    /// Logs in as the profile's flow says: a user's identity and password, or the OAuth
    /// client alone; a profile with a `[client]` authenticates it on the way.
    pub async fn login(
        &self,
        target: &Target,
        identity: &str,
        secrets: &LoginSecrets,
        now: OffsetDateTime,
    ) -> Result<TokenSet> {
        let answer = self.login_answer(target, identity, secrets).await?;
        self.tokens_from(target, &answer, now)
    }

    /// The answer of a successful login, as it came: for finding where a new API puts its
    /// tokens. A refused login is the same error as [`Self::login`]'s.
    pub async fn login_answer(
        &self,
        target: &Target,
        identity: &str,
        secrets: &LoginSecrets,
    ) -> Result<Answer> {
        let profile = &target.profile;
        let login = &profile.login;
        let mut fields = fixed_fields(&login.fields);
        if login.flow == LoginFlow::Password {
            let password = secrets.required_password()?;
            fields.insert(
                login.identity_field.clone(),
                Value::String(identity.to_owned()),
            );
            fields.insert(
                login.password_field.clone(),
                Value::String(password.expose().to_owned()),
            );
        }
        let code = secrets.one_time_code.as_ref();
        if let (Some(field), Some(code)) = (&login.otp_field, code) {
            fields.insert(field.clone(), Value::String(code.expose().to_owned()));
        }
        let (request, url) = self.login_request(target, fields, secrets)?;
        let said = secrets.all();
        let answer = self.send(request, &url, &said).await?;
        if !(200..300).contains(&answer.status) {
            let detail = || server_detail_at(&answer, login.error_message.as_deref(), &said);
            if let Some(refusal) = client_refusal(&answer, profile, detail) {
                return Err(refusal);
            }
            let code_sent = code.is_some() && login.otp_field.is_some();
            if let Some(refusal) = otp_refusal(&answer, profile, identity, code_sent, detail()) {
                return Err(refusal);
            }
            return Err(match answer.status {
                400 | 401 | 422 => Error::CredentialsRejected {
                    identity: identity.to_owned(),
                    status: answer.status,
                    detail: detail(),
                },
                _ => slash_redirect(&answer, "login.path", &login.path)
                    .unwrap_or_else(|| status_error_with(&answer, detail(), &said)),
            });
        }
        Ok(answer)
    }

    /// The login call as the profile describes it (method, path, headers), with `fields` as
    /// its body and the client authenticated; and its URL.
    pub(super) fn login_request(
        &self,
        target: &Target,
        mut fields: Map<String, Value>,
        secrets: &LoginSecrets,
    ) -> Result<(reqwest::RequestBuilder, String)> {
        let login = &target.profile.login;
        let url = target.url(&login.path);
        let mut request = self.request(login.method, &url);
        for (name, value) in &login.headers {
            request = request.header(name, value);
        }
        let request = authenticate_client(request, &mut fields, &target.profile, secrets)?;
        Ok((with_body(request, login.body, &fields), url))
    }

    /// Renews the access token with a refresh token; a profile with a `[client]`
    /// authenticates it as at login.
    pub async fn refresh(
        &self,
        target: &Target,
        refresh_token: &Secret,
        secrets: &LoginSecrets,
        now: OffsetDateTime,
    ) -> Result<TokenSet> {
        let profile = &target.profile;
        let Some(spec) = &profile.refresh else {
            return Err(Error::InvalidProfile {
                origin: format!("preset:{}", profile.id),
                field: "refresh".into(),
                problem: "this API has no refresh call".into(),
            });
        };
        let url = target.url(&spec.path);
        let mut request = self.request(spec.method, &url);
        for (name, value) in &spec.headers {
            request = request.header(name, value);
        }
        let mut fields = fixed_fields(&spec.fields);
        let request = authenticate_client(request, &mut fields, profile, secrets)?;
        let request = place_token(request, &spec.send, spec.body, fields, refresh_token);
        let mut said = secrets.all();
        said.push(refresh_token);
        let answer = self.send(request, &url, &said).await?;
        if !(200..300).contains(&answer.status) {
            let message_at = profile.login.error_message.as_deref();
            let detail = || server_detail_at(&answer, message_at, &said);
            if let Some(refusal) = client_refusal(&answer, profile, detail) {
                return Err(refusal);
            }
            return Err(match answer.status {
                400 | 401 | 403 => Error::RefreshRejected {
                    status: answer.status,
                    detail: detail(),
                },
                _ => slash_redirect(&answer, "refresh.path", &spec.path)
                    .unwrap_or_else(|| status_error_with(&answer, detail(), &said)),
            });
        }
        self.tokens_from(target, &answer, now)
    }

    pub(super) fn tokens_from(
        &self,
        target: &Target,
        answer: &Answer,
        now: OffsetDateTime,
    ) -> Result<TokenSet> {
        let profile = &target.profile;
        let access = require_token(answer, &profile.access_token, TokenKind::Access, now)?;
        if let Some(expired) = access.expires_at.filter(|at| *at <= now) {
            // Kept, it would be renewed at once, again and again: a login storm.
            return Err(Error::UnexpectedResponse {
                url: answer.url.clone(),
                expected: "an access token that is still valid".into(),
                got: format!(
                    "one that expired at {} (is this computer's clock right?)",
                    expired
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_else(|_| expired.unix_timestamp().to_string())
                ),
            });
        }
        let refresh = match &profile.refresh_token {
            Some(source) => find_token(answer, source, TokenKind::Refresh, now)?,
            None => None,
        };
        Ok(TokenSet { access, refresh })
    }

    /// Puts `token` where `placement` says, with no other body fields.
    pub(super) fn with_token(
        &self,
        request: reqwest::RequestBuilder,
        placement: &TokenPlacement,
        body: BodyEncoding,
        token: &Secret,
    ) -> reqwest::RequestBuilder {
        place_token(request, placement, body, Map::new(), token)
    }

    pub(super) fn http_get(&self, url: &str) -> reqwest::RequestBuilder {
        self.request(Method::Get, url)
    }

    pub(super) fn request(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        let method = match method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        self.http
            .request(method, url)
            .header(reqwest::header::ACCEPT, "application/json")
    }

    pub(super) async fn send(
        &self,
        request: reqwest::RequestBuilder,
        url: &str,
        secrets: &[&Secret],
    ) -> Result<Answer> {
        let mut response = request
            .send()
            .await
            .map_err(|e| self.transport_error(url, &e, secrets))?;
        let status = response.status().as_u16();
        let headers: HeaderMap = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(url, &e, secrets))?
        {
            if body.len() + chunk.len() > self.options.max_body_bytes {
                return Err(Error::UnexpectedResponse {
                    url: url.to_owned(),
                    expected: format!("a body under {} bytes", self.options.max_body_bytes),
                    got: format!("HTTP {status} with a larger body"),
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            url: url.to_owned(),
            status,
            headers,
            body,
        })
    }

    fn transport_error(&self, url: &str, error: &reqwest::Error, secrets: &[&Secret]) -> Error {
        transport_failure(url, error, self.options.timeout, secrets)
    }
}

/// A request that got no answer, as an error: a timeout, a TLS failure, or no connection.
/// The reason quotes the deepest cause, with `secrets` removed.
pub(crate) fn transport_failure(
    url: &str,
    error: &reqwest::Error,
    timeout: Duration,
    secrets: &[&Secret],
) -> Error {
    if error.is_timeout() {
        return Error::Timeout {
            url: url.to_owned(),
            after: timeout,
        };
    }
    let reason = redact(&root_cause(error), secrets);
    let lower = reason.to_ascii_lowercase();
    if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        let reason = if lower.contains("unknownissuer") || lower.contains("unknown issuer") {
            format!(
                "{reason}: no CA trusted here signed its certificate. Behind a company proxy \
                 that inspects TLS, its CA belongs in this computer's trust store (or in \
                 SSL_CERT_FILE); an API with a private CA takes it as the account's CA \
                 (--ca-cert)"
            )
        } else {
            reason
        };
        Error::Tls {
            url: url.to_owned(),
            reason,
        }
    } else {
        Error::Unreachable {
            url: url.to_owned(),
            reason,
        }
    }
}

/// A profile's fixed body fields as a body.
pub(super) fn fixed_fields(
    fixed: &std::collections::BTreeMap<String, String>,
) -> Map<String, Value> {
    fixed
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect()
}

/// Puts `token` where `placement` says, beside the body `fields` (sent only when there
/// are some).
fn place_token(
    mut request: reqwest::RequestBuilder,
    placement: &TokenPlacement,
    body: BodyEncoding,
    mut fields: Map<String, Value>,
    token: &Secret,
) -> reqwest::RequestBuilder {
    match placement {
        TokenPlacement::Header { name } => {
            request = request.header(name, token.expose());
        }
        TokenPlacement::Cookie { name } => {
            request = request.header(
                reqwest::header::COOKIE,
                format!("{name}={}", token.expose()),
            );
        }
        TokenPlacement::Body { field } => {
            fields.insert(field.clone(), Value::String(token.expose().to_owned()));
        }
    }
    if fields.is_empty() {
        request
    } else {
        with_body(request, body, &fields)
    }
}

pub(super) fn with_body(
    request: reqwest::RequestBuilder,
    encoding: BodyEncoding,
    fields: &Map<String, Value>,
) -> reqwest::RequestBuilder {
    match encoding {
        BodyEncoding::Json => request.json(fields),
        BodyEncoding::Form => {
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
                .collect();
            request.form(&pairs)
        }
    }
}

/// The innermost cause of a transport error, which is the specific one
/// ("connection refused", "connection reset by peer").
fn root_cause(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause.to_string();
    if text.is_empty() {
        error.to_string()
    } else {
        text
    }
}

pub(super) fn status_error(answer: &Answer, secrets: &[&Secret]) -> Error {
    status_error_with(answer, server_detail(answer, secrets), secrets)
}

fn status_error_with(answer: &Answer, detail: Option<String>, secrets: &[&Secret]) -> Error {
    match answer.status {
        401 => Error::Unauthorized {
            url: answer.url.clone(),
            detail,
        },
        404 => Error::NotFound {
            url: answer.url.clone(),
            detail,
        },
        403 => Error::Forbidden {
            url: answer.url.clone(),
            detail,
        },
        300..=399 => Error::UnexpectedResponse {
            url: answer.url.clone(),
            expected: "an answer, not a redirect (redirects are never followed with credentials)"
                .into(),
            // Where to, without the query or fragment (they may carry a code or a token).
            got: format!(
                "HTTP {} to {}",
                answer.status,
                redact(
                    answer
                        .header("location")
                        .and_then(|l| l.split(['?', '#']).next())
                        .unwrap_or("?"),
                    secrets
                )
            ),
        },
        _ => Error::ServerError {
            url: answer.url.clone(),
            status: answer.status,
            detail,
            retry_after: answer.retry_after(),
        },
    }
}

/// What the server said about a failure: a short message field, or the body's shape.
pub(super) fn server_detail(answer: &Answer, secrets: &[&Secret]) -> Option<String> {
    server_detail_at(answer, None, secrets)
}

/// [`server_detail`], looking first at `path` (a profile's `login.error_message`).
pub(super) fn server_detail_at(
    answer: &Answer,
    path: Option<&str>,
    secrets: &[&Secret],
) -> Option<String> {
    let message = answer.json().ok().and_then(|json| message_of(&json, path));
    let text = match message {
        Some(m) => m.chars().take(200).collect(),
        None if answer.body.is_empty() => return None,
        None => answer.describe(),
    };
    Some(redact(&text, secrets))
}

/// The places servers put their message, most specific first: OAuth's
/// `error_description`, Django's and FastAPI's `detail`, `message`, GraphQL-style
/// `errors[0].message` (Directus), `error.message`, the bare `error` code, `msg`, and a
/// body that is nothing but a JSON string (json-server-auth).
fn message_of(json: &Value, path: Option<&str>) -> Option<String> {
    let text = |value: Option<&Value>| {
        value
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    if let Some(path) = path
        && let Some(found) = text(at_path(json, path))
    {
        return Some(found);
    }
    if let Some(bare) = text(Some(json)) {
        return Some(bare);
    }
    [
        "error_description",
        "detail",
        "message",
        "errors.0.message",
        "error.message",
        "detail.0.msg",
        "error",
        "msg",
    ]
    .iter()
    .find_map(|path| text(at_path(json, path)))
}

/// A login or refresh answered by a redirect to the same URL with a trailing slash
/// (Django's `APPEND_SLASH`): the error says which override fixes it.
fn slash_redirect(answer: &Answer, key: &str, path: &str) -> Option<Error> {
    if !(300..400).contains(&answer.status) {
        return None;
    }
    let location = answer.header("location")?;
    let location = location.split(['?', '#']).next().unwrap_or_default();
    let wanted = format!("{}/", answer.url.trim_end_matches('/'));
    let same = location == wanted || Url::parse(&wanted).is_ok_and(|w| w.path() == location);
    same.then(|| Error::UnexpectedResponse {
        url: answer.url.clone(),
        expected: "an answer, not a redirect".into(),
        got: format!(
            "HTTP {} to the same path with a trailing slash; the server wants `{path}/`: \
             add `--set {key}={path}/` to the account (redirects are never followed with \
             credentials)",
            answer.status
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::preset;

    fn prive() -> Profile {
        preset("prive").unwrap().profile.clone()
    }

    #[test]
    fn plain_http_is_refused_off_loopback_unless_the_account_opts_in() {
        let error = Target::new(prive(), "http://api.example.com", false).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid base URL `http://api.example.com/`: plain http is only allowed for loopback \
             addresses; use https or opt in"
        );
        assert!(Target::new(prive(), "http://api.example.com", true).is_ok());
        for loopback in [
            "http://127.0.0.1:8080",
            "http://localhost:3000",
            "http://[::1]:1",
        ] {
            assert!(Target::new(prive(), loopback, false).is_ok(), "{loopback}");
        }
        assert!(Target::new(prive(), "https://api.example.com/v1", false).is_ok());
    }

    #[test]
    fn credentials_in_the_url_and_other_schemes_are_refused() {
        let error = Target::new(prive(), "https://me:pw@api.example.com", false).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid base URL `https://api.example.com/`: credentials do not belong in the URL",
            "the password in the URL is not repeated"
        );
        let error = Target::new(prive(), "ftp://api.example.com", false).unwrap_err();
        assert!(error.to_string().contains("scheme `ftp`"), "{error}");
    }

    #[test]
    fn an_extra_ca_that_is_not_pem_is_a_clear_tls_error() {
        let options = HttpOptions {
            extra_ca_pem: Some(b"not a certificate".to_vec()),
            ..HttpOptions::default()
        };
        let error = Authenticator::new(options).unwrap_err();
        assert_eq!(error.code(), "tls");
        assert!(
            error.to_string().contains("not a valid PEM certificate"),
            "{error}"
        );
    }

    #[test]
    fn paths_join_the_base_url_with_one_slash() {
        let target = Target::new(prive(), "https://api.example.com/base/", false).unwrap();
        assert_eq!(
            target.url("/restful/login/"),
            "https://api.example.com/base/restful/login/"
        );
    }

    fn refused(status: u16, body: &str, location: Option<&str>) -> Answer {
        let mut headers = HeaderMap::new();
        if let Some(location) = location {
            headers.insert("location", location.parse().unwrap());
        }
        Answer {
            url: "https://api.example.com/o/token".into(),
            status,
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn the_servers_message_is_read_from_where_each_kind_of_server_puts_it() {
        let cases = [
            (
                r#"{"error":"invalid_grant","error_description":"Invalid credentials given."}"#,
                "Invalid credentials given.",
            ),
            (
                r#"{"detail":"No active account found"}"#,
                "No active account found",
            ),
            (
                r#"{"errors":[{"message":"Invalid user credentials.","extensions":{"code":"INVALID_CREDENTIALS"}}]}"#,
                "Invalid user credentials.",
            ),
            (r#""Incorrect password""#, "Incorrect password"),
            (
                r#"{"error":{"message":"quota exceeded"}}"#,
                "quota exceeded",
            ),
            (
                r#"{"detail":[{"loc":["body"],"msg":"field required"}]}"#,
                "field required",
            ),
            (r#"{"error":"invalid_client"}"#, "invalid_client"),
        ];
        for (body, message) in cases {
            let detail = server_detail(&refused(401, body, None), &[]);
            assert_eq!(detail.as_deref(), Some(message), "{body}");
        }
    }

    #[test]
    fn a_profile_can_say_where_the_message_is_and_it_comes_first() {
        let answer = refused(
            401,
            r#"{"message":"generic","problems":[{"why":"the code is wrong"}]}"#,
            None,
        );
        assert_eq!(
            server_detail_at(&answer, Some("problems.0.why"), &[]).as_deref(),
            Some("the code is wrong")
        );
        assert_eq!(
            server_detail_at(&answer, Some("nowhere"), &[]).as_deref(),
            Some("generic"),
            "a path that finds nothing falls back to the usual places"
        );
    }

    #[test]
    fn a_message_that_repeats_a_secret_of_the_call_loses_it() {
        let password = Secret::new("hunter2-hunter2");
        let answer = refused(
            401,
            r#"{"detail":"password hunter2-hunter2 is wrong"}"#,
            None,
        );
        let detail = server_detail(&answer, &[&password]).unwrap();
        assert!(!detail.contains("hunter2-hunter2"), "{detail}");
    }

    #[test]
    fn a_redirect_that_only_adds_a_slash_names_the_override_that_fixes_it() {
        for location in ["https://api.example.com/o/token/", "/o/token/"] {
            let answer = refused(301, "", Some(location));
            let error = slash_redirect(&answer, "login.path", "/o/token").unwrap();
            assert_eq!(error.code(), "unexpected_response");
            assert!(
                error
                    .to_string()
                    .contains("add `--set login.path=/o/token/` to the account"),
                "{error}"
            );
        }
        let elsewhere = refused(302, "", Some("https://sso.example.com/login?next=x"));
        assert!(slash_redirect(&elsewhere, "login.path", "/o/token").is_none());
        assert!(slash_redirect(&refused(401, "", None), "login.path", "/o/token").is_none());
    }
}
