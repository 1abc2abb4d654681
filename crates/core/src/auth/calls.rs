//! The optional calls of a profile, sent with the access token: validate, verify a
//! one-time token, and create, list and revoke private tokens.

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::answer::{Answer, at_path};
use super::client::{Authenticator, Target, server_detail, status_error, with_body};
use super::extract::read_instant;
use crate::error::{Error, Result};
use crate::profile::{ExpiryUnit, ItemFields, Method, OttVerdict};
use crate::secret::Secret;

/// What a validate call said about the access token.
#[derive(Debug, Clone, PartialEq)]
pub struct Validation {
    /// The identity the answer names, when the profile says where.
    pub identity: Option<String>,
    /// The whole answer (user details; tokens are never in it).
    pub details: Value,
}

/// The verdict on a one-time token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OttOutcome {
    /// Whether the server accepted it.
    pub valid: bool,
    /// Whose token it was, when valid and named.
    pub identity: Option<String>,
    /// Why not, when invalid and given.
    pub reason: Option<String>,
}

/// A private token as listed: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateTokenInfo {
    /// Its id, to revoke it.
    pub id: String,
    /// Its label.
    pub label: String,
    /// When it expires, when readable.
    pub expires_at: Option<OffsetDateTime>,
}

/// A newly created private token: shown once.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedPrivateToken {
    /// What the listing will show.
    pub info: PrivateTokenInfo,
    /// The token.
    pub token: Secret,
}

impl Authenticator {
    /// Checks the access token with the profile's validate call.
    pub async fn validate(&self, target: &Target, access: &Secret) -> Result<Validation> {
        let spec = target
            .profile()
            .validate
            .as_ref()
            .ok_or_else(|| unsupported(target, "validate"))?;
        let url = target.url(&spec.path);
        let request = match &spec.send {
            None => self.authorized(spec.method, &url, access),
            Some(placement) => self.with_token(
                self.request(spec.method, &url),
                placement,
                spec.body,
                access,
            ),
        };
        let answer = self.send(request, &url, &[access]).await?;
        if !(200..300).contains(&answer.status) {
            return Err(status_error(&answer, &[access]));
        }
        let details = json_of(&answer, "a JSON description of the token's user")?;
        let identity = spec.identity.as_deref().and_then(|p| text_at(&details, p));
        Ok(Validation { identity, details })
    }

    /// Verifies a one-time token. An invalid token is an `Ok` with `valid: false`.
    pub async fn verify_ott(
        &self,
        target: &Target,
        access: &Secret,
        ott: &Secret,
    ) -> Result<OttOutcome> {
        let spec = target
            .profile()
            .ott
            .as_ref()
            .ok_or_else(|| unsupported(target, "OTT verification"))?;
        let mut fields = Map::new();
        fields.insert(
            spec.token_field.clone(),
            Value::String(ott.expose().to_owned()),
        );
        let url = target.url(&spec.path);
        let request = with_body(
            self.authorized(spec.method, &url, access),
            spec.body,
            &fields,
        );
        let answer = self.send(request, &url, &[access, ott]).await?;
        let rejected_status = matches!(answer.status, 400 | 401 | 403 | 404 | 410);
        let valid = match &spec.verdict {
            OttVerdict::Status if rejected_status => false,
            OttVerdict::Status if (200..300).contains(&answer.status) => true,
            OttVerdict::JsonBool { path } if (200..300).contains(&answer.status) => {
                let json = json_of(&answer, "a JSON verdict")?;
                at_path(&json, path)
                    .and_then(Value::as_bool)
                    .ok_or_else(|| Error::UnexpectedResponse {
                        url: answer.url.clone(),
                        expected: format!("a true or false at `{path}`"),
                        got: answer.describe(),
                    })?
            }
            _ => return Err(status_error(&answer, &[access, ott])),
        };
        let json = answer.json().unwrap_or(Value::Null);
        let read = |path: &Option<String>| path.as_deref().and_then(|p| text_at(&json, p));
        let reason = if valid {
            None
        } else {
            read(&spec.reason).or_else(|| server_detail(&answer, &[access, ott]))
        };
        Ok(OttOutcome {
            valid,
            identity: if valid { read(&spec.identity) } else { None },
            reason,
        })
    }

    /// Creates a private token with a label and an expiry instant.
    pub async fn create_private_token(
        &self,
        target: &Target,
        access: &Secret,
        label: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<CreatedPrivateToken> {
        let spec = private(target)?;
        let create = &spec.create;
        let mut fields = Map::new();
        fields.insert(create.label_field.clone(), Value::String(label.to_owned()));
        fields.insert(
            create.expiry_field.clone(),
            write_instant(expires_at, create.expiry_unit, now),
        );
        let answer = self
            .bearer_call(
                target,
                create.method,
                &create.path,
                access,
                Some((create.body, &fields)),
            )
            .await?;
        let json = json_of(&answer, "the created private token")?;
        let token = text_at(&json, &create.token).ok_or_else(|| Error::UnexpectedResponse {
            url: answer.url.clone(),
            expected: format!("the new private token in the JSON field `{}`", create.token),
            got: answer.describe(),
        })?;
        let info = item(&json, &create.fields).ok_or_else(|| Error::UnexpectedResponse {
            url: answer.url.clone(),
            expected: format!("the token's id in the JSON field `{}`", create.fields.id),
            got: answer.describe(),
        })?;
        Ok(CreatedPrivateToken {
            info,
            token: Secret::new(token),
        })
    }

    /// Lists the private tokens of the account (never their values).
    pub async fn list_private_tokens(
        &self,
        target: &Target,
        access: &Secret,
    ) -> Result<Vec<PrivateTokenInfo>> {
        let list = &private(target)?.list;
        let answer = self
            .bearer_call(target, list.method, &list.path, access, None)
            .await?;
        let json = json_of(&answer, "a list of private tokens")?;
        let items = if list.items.is_empty() {
            Some(&json)
        } else {
            at_path(&json, &list.items)
        };
        let items = items
            .and_then(Value::as_array)
            .ok_or_else(|| Error::UnexpectedResponse {
                url: answer.url.clone(),
                expected: if list.items.is_empty() {
                    "a JSON array".to_owned()
                } else {
                    format!("a JSON array at `{}`", list.items)
                },
                got: answer.describe(),
            })?;
        Ok(items.iter().filter_map(|i| item(i, &list.fields)).collect())
    }

    /// Revokes a private token by id.
    pub async fn revoke_private_token(
        &self,
        target: &Target,
        access: &Secret,
        id: &str,
    ) -> Result<()> {
        let revoke = &private(target)?.revoke;
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Error::NotFound {
                url: target.url(&revoke.path),
                detail: Some(format!("`{id}` is not a token id")),
            });
        }
        let path = revoke.path.replace("{id}", id);
        self.bearer_call(target, revoke.method, &path, access, None)
            .await?;
        Ok(())
    }

    /// Fetches a JWKS document for signature checks (see [`crate::inspect::verify_with_jwks`]).
    pub async fn fetch_jwks(&self, url: &str) -> Result<String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| Error::InvalidBaseUrl {
            url: url.to_owned(),
            problem: e.to_string(),
        })?;
        let answer = self.send(self.http_get(parsed.as_str()), url, &[]).await?;
        if !(200..300).contains(&answer.status) {
            return Err(status_error(&answer, &[]));
        }
        String::from_utf8(answer.body).map_err(|_| Error::UnexpectedResponse {
            url: url.to_owned(),
            expected: "a JWKS document in UTF-8".to_owned(),
            got: "bytes that are not UTF-8".to_owned(),
        })
    }

    fn authorized(&self, method: Method, url: &str, access: &Secret) -> reqwest::RequestBuilder {
        self.request(method, url).bearer_auth(access.expose())
    }

    async fn bearer_call(
        &self,
        target: &Target,
        method: Method,
        path: &str,
        access: &Secret,
        body: Option<(crate::profile::BodyEncoding, &Map<String, Value>)>,
    ) -> Result<Answer> {
        let url = target.url(path);
        let mut request = self.authorized(method, &url, access);
        if let Some((encoding, fields)) = body {
            request = with_body(request, encoding, fields);
        }
        let answer = self.send(request, &url, &[access]).await?;
        if (200..300).contains(&answer.status) {
            Ok(answer)
        } else {
            Err(status_error(&answer, &[access]))
        }
    }
}

fn unsupported(target: &Target, call: &'static str) -> Error {
    Error::NotSupported {
        profile: target.profile().id.clone(),
        call,
    }
}

fn private(target: &Target) -> Result<&crate::profile::PrivateTokens> {
    target
        .profile()
        .private_tokens
        .as_ref()
        .ok_or_else(|| unsupported(target, "private tokens"))
}

fn json_of(answer: &Answer, expected: &str) -> Result<Value> {
    answer.json().map_err(|_| Error::UnexpectedResponse {
        url: answer.url.clone(),
        expected: expected.to_owned(),
        got: answer.describe(),
    })
}

/// A string or number at `path`, as text.
fn text_at(json: &Value, path: &str) -> Option<String> {
    match at_path(json, path)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn item(json: &Value, fields: &ItemFields) -> Option<PrivateTokenInfo> {
    Some(PrivateTokenInfo {
        id: text_at(json, &fields.id)?,
        label: text_at(json, &fields.label).unwrap_or_default(),
        expires_at: at_path(json, &fields.expires_at)
            .and_then(|v| read_instant(v, fields.expiry_unit, OffsetDateTime::UNIX_EPOCH)),
    })
}

fn write_instant(at: OffsetDateTime, unit: ExpiryUnit, now: OffsetDateTime) -> Value {
    match unit {
        ExpiryUnit::Iso8601 => Value::String(at.format(&Rfc3339).unwrap_or_default()),
        ExpiryUnit::UnixSeconds => Value::from(at.unix_timestamp()),
        ExpiryUnit::UnixMillis => {
            Value::from(i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
        }
        ExpiryUnit::SecondsFromNow => Value::from((at - now).whole_seconds()),
        ExpiryUnit::MillisFromNow => {
            Value::from(i64::try_from((at - now).whole_milliseconds()).unwrap_or(i64::MAX))
        }
    }
}
