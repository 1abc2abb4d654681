//! Token introspection (RFC 7662): what the server says of a token that is not a JWT (an
//! opaque token carries nothing a client can read): whether it is active, and its scope,
//! client, user and expiry.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::client::{Authenticator, Target};
use super::client_auth::LoginSecrets;
use crate::error::{Error, Result};
use crate::secret::Secret;

/// The server's answer about a token.
#[derive(Debug, Clone, PartialEq)]
pub struct Introspection {
    /// The endpoint that answered.
    pub url: String,
    /// Whether the token is active (issued by this server, not expired, not revoked).
    pub active: bool,
    /// Its scope, client, user and the like, as the server named them (never the token).
    pub fields: Map<String, Value>,
}

impl Introspection {
    /// The text of a field the server gave (`scope`, `client_id`, `username`, `sub`).
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str)
    }

    /// When the token expires, if the server said (`exp`, Unix seconds).
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        let exp = self.fields.get("exp").and_then(Value::as_i64)?;
        OffsetDateTime::from_unix_timestamp(exp).ok()
    }
}

impl Authenticator {
    /// Asks the profile's `oauth.introspection_path` about `token`, the client
    /// authenticated as at the token endpoint (servers answer only authenticated callers).
    pub async fn introspect(
        &self,
        target: &Target,
        token: &Secret,
        secrets: &LoginSecrets,
    ) -> Result<Introspection> {
        let profile = target.profile();
        let Some(path) = &profile.oauth.introspection_path else {
            return Err(Error::NotSupported {
                profile: profile.id.clone(),
                call: "token introspection",
            });
        };
        let answer = self
            .call_about_token(target, path, Map::new(), token, secrets)
            .await?;
        let url = answer.url.clone();
        let unexpected = || Error::UnexpectedResponse {
            url: url.clone(),
            expected: "an introspection answer: a JSON object with `active`".into(),
            got: answer.describe(),
        };
        let Ok(Value::Object(mut fields)) = answer.json() else {
            return Err(unexpected());
        };
        let active = fields
            .remove("active")
            .and_then(|v| v.as_bool())
            .ok_or_else(unexpected)?;
        // An answer never repeats the token, but a careless server might: drop any field
        // that holds it.
        fields.retain(|_, v| v.as_str() != Some(token.expose()));
        Ok(Introspection {
            url,
            active,
            fields,
        })
    }
}
