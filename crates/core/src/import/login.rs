//! A profile's login from the request a curl command sends: where it goes, how its body
//! is written, which field is the identity and which the password, and what else it sends
//! every time. The password (and any other secret) in the command is never kept: the
//! account asks for it.

use std::collections::BTreeMap;

use serde_json::Value;

use super::curl::CurlRequest;
use crate::error::{Error, Result};
use crate::profile::{BodyEncoding, LoginFlow, LoginRequest, Method};

/// A login read from a curl command, with what was decided and why.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginDraft {
    /// The account's base URL: the one given, or the URL's origin.
    pub base_url: String,
    /// The profile's login.
    pub login: LoginRequest,
    /// The identity the command logs in as (a user name is not a secret).
    pub identity: Option<String>,
    /// One line per decision: what was found where.
    pub decisions: Vec<String>,
}

/// Field names that carry who logs in, most telling first.
const IDENTITY_FIELDS: [&str; 11] = [
    "username",
    "email",
    "login",
    "user",
    "user_name",
    "userName",
    "userid",
    "user_id",
    "account",
    "mail",
    "identifier",
];

/// Field names that carry a password.
const PASSWORD_FIELDS: [&str; 7] = [
    "password",
    "pass",
    "passwd",
    "pwd",
    "secret",
    "user_password",
    "userPassword",
];

/// Field names of other secrets: never kept as fixed fields.
const SECRET_FIELDS: [&str; 9] = [
    "client_secret",
    "otp",
    "code",
    "totp",
    "token",
    "api_key",
    "apikey",
    "refresh_token",
    "mfa_code",
];

/// Headers a browser or curl adds by itself, or that carry secrets: not kept.
const NOISE_HEADERS: [&str; 15] = [
    "accept",
    "accept-encoding",
    "accept-language",
    "authorization",
    "cache-control",
    "connection",
    "content-length",
    "content-type",
    "cookie",
    "dnt",
    "host",
    "origin",
    "pragma",
    "priority",
    "referer",
];

/// The login `request` (of a curl command) sends, below `base_url` when one is given.
pub fn login_draft(request: &CurlRequest, base_url: Option<&str>) -> Result<LoginDraft> {
    login_draft_from(request, base_url, "curl command")
}

/// The same for a request from elsewhere (`from`: `HAR file`), which errors name.
pub fn login_draft_from(
    request: &CurlRequest,
    base_url: Option<&str>,
    from: &'static str,
) -> Result<LoginDraft> {
    let invalid = |problem: String| Error::InvalidImport { from, problem };
    let mut decisions = Vec::new();
    let (base_url, path) = split_url(request, base_url).map_err(invalid)?;
    let method = match request.method.as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        other => {
            return Err(invalid(format!(
                "a login sent with {other} is not one a profile can send"
            )));
        }
    };
    let Some(body) = &request.body else {
        return Err(invalid(match &request.user {
            Some(_) => "it logs in with HTTP Basic (-u), which profiles do not describe yet: \
                        a login that sends its password in the body is needed"
                .to_owned(),
            None => "it sends no body, so no password: it is not a login".to_owned(),
        }));
    };
    let (encoding, fields) = read_body(request, body.expose()).map_err(invalid)?;
    decisions.push(format!(
        "login: {} {path} below {base_url}, a {} body",
        request.method,
        match encoding {
            BodyEncoding::Json => "JSON",
            BodyEncoding::Form => "form",
        }
    ));
    let names: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
    let password_field = find(&names, &PASSWORD_FIELDS).ok_or_else(|| {
        invalid(format!(
            "it is not a login: no field carries a password (found {}; a login names it \
             password, pass, passwd, pwd or secret)",
            listed(&names)
        ))
    })?;
    let identity_field = find(&names, &IDENTITY_FIELDS).ok_or_else(|| {
        invalid(format!(
            "no field names who logs in (found {}; expected username, email, login, user, ...)",
            listed(&names)
        ))
    })?;
    decisions.push(format!(
        "identity: the field `{identity_field}`; password: the field `{password_field}`, asked \
         for, never taken from the command"
    ));
    let mut identity = None;
    let mut fixed = BTreeMap::new();
    for (name, value) in &fields {
        if name == &identity_field {
            identity = value.as_str().map(str::to_owned);
            continue;
        }
        if name == &password_field {
            continue;
        }
        if SECRET_FIELDS.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            decisions.push(format!(
                "`{name}`: left out, as a secret is never kept from the command"
            ));
            continue;
        }
        match value {
            Value::String(text) => {
                fixed.insert(name.clone(), text.clone());
            }
            other => decisions.push(format!(
                "`{name}`: left out, a JSON {} (fixed fields are sent as text; add it with --set \
                 login.fields.{name}=... if the API needs it)",
                kind_of(other)
            )),
        }
    }
    if !fixed.is_empty() {
        decisions.push(format!(
            "sent with every login: {}",
            fixed
                .keys()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut headers = BTreeMap::new();
    for (name, value) in &request.headers {
        let lower = name.to_ascii_lowercase();
        if NOISE_HEADERS.contains(&lower.as_str())
            || lower.starts_with("sec-")
            || lower == "user-agent"
        {
            continue;
        }
        headers.insert(name.clone(), value.clone());
    }
    if !headers.is_empty() {
        decisions.push(format!(
            "headers sent with every login: {}",
            headers
                .keys()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !request.cookies.is_empty() {
        decisions.push("cookies of the command: left out (a login starts without them)".to_owned());
    }
    Ok(LoginDraft {
        base_url,
        login: LoginRequest {
            flow: LoginFlow::Password,
            method,
            path,
            body: encoding,
            identity_field,
            password_field,
            fields: fixed,
            headers,
            token_path: None,
            redirect_port: None,
            otp_field: None,
            error_message: None,
        },
        identity,
        decisions,
    })
}

/// The base URL and the login's path below it.
fn split_url(
    request: &CurlRequest,
    base_url: Option<&str>,
) -> std::result::Result<(String, String), String> {
    let url = &request.url;
    let mut path = url.path().to_owned();
    if let Some(query) = url.query() {
        path.push('?');
        path.push_str(query);
    }
    let Some(base) = base_url else {
        let origin = url.origin().ascii_serialization();
        return Ok((origin, path));
    };
    let given = reqwest::Url::parse(base.trim())
        .map_err(|e| format!("the base URL `{base}` is not a URL: {e}"))?;
    let same_origin = given.origin() == url.origin();
    let prefix = given.path().trim_end_matches('/');
    match path.strip_prefix(prefix) {
        Some(rest) if same_origin && (rest.is_empty() || rest.starts_with('/')) => {
            let rest = if rest.is_empty() { "/" } else { rest };
            Ok((
                base.trim().trim_end_matches('/').to_owned(),
                rest.to_owned(),
            ))
        }
        _ => Err(format!(
            "it logs in at {}, which is not below the base URL {base}",
            url.origin().ascii_serialization() + url.path()
        )),
    }
}

/// The body's encoding and its top-level fields.
type Fields = Vec<(String, Value)>;

fn read_body(
    request: &CurlRequest,
    body: &str,
) -> std::result::Result<(BodyEncoding, Fields), String> {
    let said = request
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let trimmed = body.trim_start();
    if said.contains("json") || trimmed.starts_with('{') {
        return match serde_json::from_str::<Value>(body) {
            Ok(Value::Object(map)) => Ok((BodyEncoding::Json, map.into_iter().collect())),
            Ok(_) => Err("its JSON body is not an object of fields".to_owned()),
            Err(e) => Err(format!(
                "its body is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            )),
        };
    }
    let pairs: Option<Vec<(String, Value)>> = body
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=')?;
            Some((decoded(name)?, Value::String(decoded(value)?)))
        })
        .collect();
    match pairs {
        Some(pairs) if !pairs.is_empty() => Ok((BodyEncoding::Form, pairs)),
        _ => Err("its body is neither JSON nor form fields (name=value&...)".to_owned()),
    }
}

/// A form value, `+` and `%XX` decoded.
fn decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(at + 1..at + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                at += 2;
            }
            other => out.push(other),
        }
        at += 1;
    }
    String::from_utf8(out).ok()
}

/// The first of `wanted` (any case) among `names`, as `names` spells it.
fn find(names: &[&str], wanted: &[&str]) -> Option<String> {
    wanted.iter().find_map(|w| {
        names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(w))
            .map(|n| (*n).to_owned())
    })
}

fn listed(names: &[&str]) -> String {
    if names.is_empty() {
        "no fields".to_owned()
    } else {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "number",
        Value::String(_) => "text",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::curl::parse;

    fn draft(command: &str, base: Option<&str>) -> Result<LoginDraft> {
        login_draft(&parse(command).expect("a curl command"), base)
    }

    #[test]
    fn a_json_login_names_its_identity_and_password_fields_and_keeps_no_password() {
        let d = draft(
            r#"curl -X POST https://api.finvera.news/kms/api/v1/auth/token -H "Content-Type: application/json" -H "X-Tenant: acme" -d '{"email": "you@example.com", "password": "hunter2", "remember": true, "app": "web"}'"#,
            None,
        )
        .expect("a login");
        assert_eq!(d.base_url, "https://api.finvera.news");
        assert_eq!(d.login.path, "/kms/api/v1/auth/token");
        assert_eq!(d.login.body, BodyEncoding::Json);
        assert_eq!(d.login.identity_field, "email");
        assert_eq!(d.login.password_field, "password");
        assert_eq!(d.identity.as_deref(), Some("you@example.com"));
        assert_eq!(d.login.fields.get("app").map(String::as_str), Some("web"));
        assert!(!d.login.fields.contains_key("remember"));
        assert_eq!(d.login.headers.keys().collect::<Vec<_>>(), ["X-Tenant"]);
        let everything = format!("{d:?}");
        assert!(
            !everything.contains("hunter2"),
            "no password anywhere: {everything}"
        );
        assert!(
            d.decisions
                .iter()
                .any(|l| l.contains("`remember`: left out"))
        );
    }

    #[test]
    fn a_form_login_below_a_given_base_url_keeps_its_grant_and_client_but_no_secret() {
        let d = draft(
            "curl https://idp.example/realms/ops/protocol/openid-connect/token -d grant_type=password -d client_id=cli -d username=ana -d password=p%26w -d client_secret=s3",
            Some("https://idp.example/realms/ops/protocol/openid-connect/"),
        )
        .expect("a login");
        assert_eq!(
            d.base_url,
            "https://idp.example/realms/ops/protocol/openid-connect"
        );
        assert_eq!(d.login.path, "/token");
        assert_eq!(d.login.body, BodyEncoding::Form);
        assert_eq!(d.login.identity_field, "username");
        let kept: Vec<&String> = d.login.fields.keys().collect();
        assert_eq!(kept, ["client_id", "grant_type"]);
        assert!(!format!("{d:?}").contains("s3\""));
    }

    #[test]
    fn what_is_not_a_login_or_not_below_the_base_url_is_said_with_what_was_found() {
        let said = |command: &str, base: Option<&str>| {
            draft(command, base).expect_err("refused").to_string()
        };
        let no_password = said(
            r#"curl https://x.example/search -d '{"query": "a", "page": 2}'"#,
            None,
        );
        assert!(
            no_password.contains("not a login")
                && no_password.contains("`query`")
                && no_password.contains("`page`"),
            "{no_password}"
        );
        assert!(said("curl https://x.example/users/me", None).contains("no body"));
        assert!(said("curl -u ana:pw https://x.example/login", None).contains("HTTP Basic"));
        let elsewhere = said(
            r#"curl https://other.example/login -d '{"login":"a","password":"b"}'"#,
            Some("https://api.example"),
        );
        assert!(elsewhere.contains("not below the base URL"), "{elsewhere}");
        assert!(!elsewhere.contains("\"b\""));
        assert!(
            said("curl https://x.example/login -d 'not a form'", None)
                .contains("neither JSON nor form")
        );
        assert!(
            said(
                r#"curl https://x.example/login -H 'content-type: application/json' -d '{"a": '"#,
                None
            )
            .contains("not valid JSON")
        );
    }
}
