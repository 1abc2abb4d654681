//! Token revocation (RFC 7009): telling the server a token is no longer wanted, so a
//! refresh token left behind by a removed account cannot be used by anyone. Also the call
//! that revocation and introspection share.

use serde_json::{Map, Value};

use super::answer::Answer;
use super::client::{Authenticator, Target, server_detail, status_error, with_body};
use super::client_auth::{LoginSecrets, authenticate_client, client_refusal};
use crate::error::{Error, Result};
use crate::profile::{BodyEncoding, Method};
use crate::secret::Secret;

/// Which token is revoked, as the `token_type_hint` says (RFC 7009 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenHint {
    /// A refresh token: revoking it ends the whole grant at most servers.
    RefreshToken,
    /// An access token.
    AccessToken,
}

impl TokenHint {
    fn as_str(self) -> &'static str {
        match self {
            TokenHint::RefreshToken => "refresh_token",
            TokenHint::AccessToken => "access_token",
        }
    }
}

impl Authenticator {
    /// Revokes `token` at the profile's `oauth.revocation_path`, the client authenticated
    /// as at the token endpoint. The server answers 200 whether or not it knew the token
    /// (RFC 7009 §2.2); any other answer is an error with the server's words.
    pub async fn revoke_token(
        &self,
        target: &Target,
        token: &Secret,
        hint: TokenHint,
        secrets: &LoginSecrets,
    ) -> Result<()> {
        let profile = target.profile();
        let Some(path) = &profile.oauth.revocation_path else {
            return Err(Error::NotSupported {
                profile: profile.id.clone(),
                call: "token revocation",
            });
        };
        let mut fields = Map::new();
        fields.insert(
            "token_type_hint".into(),
            Value::String(hint.as_str().into()),
        );
        self.call_about_token(target, path, fields, token, secrets)
            .await
            .map(drop)
    }

    /// A call about `token` to one of the server's token endpoints (revocation,
    /// introspection): a form with the token and `fields`, the client authenticated as at
    /// the token endpoint. A 2xx answer is returned; any other is an error with the
    /// server's words, the call's secrets removed.
    pub(super) async fn call_about_token(
        &self,
        target: &Target,
        path: &str,
        mut fields: Map<String, Value>,
        token: &Secret,
        secrets: &LoginSecrets,
    ) -> Result<Answer> {
        let profile = target.profile();
        let url = target.url(path);
        fields.insert("token".into(), Value::String(token.expose().to_owned()));
        let request = self.request(Method::Post, &url);
        let request = authenticate_client(request, &mut fields, profile, secrets)?;
        let request = with_body(request, BodyEncoding::Form, &fields);
        let mut said = secrets.all();
        said.push(token);
        let answer = self.send(request, &url, &said).await?;
        if (200..300).contains(&answer.status) {
            return Ok(answer);
        }
        if let Some(refusal) = client_refusal(&answer, profile, || server_detail(&answer, &said)) {
            return Err(refusal);
        }
        Err(status_error(&answer, &said))
    }
}
