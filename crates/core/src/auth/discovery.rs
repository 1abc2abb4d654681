//! OpenID Connect Discovery (and RFC 8414): an issuer URL says where its endpoints are,
//! which the vault turns into profile overrides, so an account needs the issuer and a
//! client id and nothing written by hand.

use serde::Deserialize;

use super::client::Authenticator;
use crate::error::{Error, Result};
use crate::profile::{ClientAuth, LoginFlow, Profile};

/// The parts of a discovery document the vault uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Discovery {
    /// The issuer, as the document names it (it must be the one asked for).
    pub issuer: String,
    /// Where a person signs in (the browser flow).
    #[serde(default)]
    pub authorization_endpoint: Option<String>,
    /// Where codes, refresh tokens and client credentials are traded for tokens.
    #[serde(default)]
    pub token_endpoint: Option<String>,
    /// Where a device flow starts (RFC 8628).
    #[serde(default)]
    pub device_authorization_endpoint: Option<String>,
    /// The signing keys.
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// Token revocation (RFC 7009).
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// Token introspection (RFC 7662).
    #[serde(default)]
    pub introspection_endpoint: Option<String>,
    /// How clients may authenticate at the token endpoint (absent: HTTP Basic, RFC 8414).
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
}

/// The discovery document's address for `issuer` (OIDC Discovery §4: the well-known path
/// appended to the issuer, whose trailing slash is dropped first).
pub fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim().trim_end_matches('/')
    )
}

impl Authenticator {
    /// Reads the issuer's discovery document, and checks that it speaks for that issuer
    /// (OIDC Discovery §4.3: a document naming another issuer is not used).
    pub async fn discover(&self, issuer: &str) -> Result<Discovery> {
        let url = discovery_url(issuer);
        let answer = self.send(self.http_get(&url), &url, &[]).await?;
        let unexpected = |got: String| Error::UnexpectedResponse {
            url: url.clone(),
            expected: "an OpenID Connect discovery document".into(),
            got,
        };
        if !(200..300).contains(&answer.status) {
            return Err(unexpected(answer.describe()));
        }
        let document: Discovery = serde_json::from_slice(&answer.body)
            .map_err(|e| unexpected(format!("{} ({e})", answer.describe())))?;
        let asked = issuer.trim().trim_end_matches('/');
        if document.issuer.trim_end_matches('/') != asked {
            return Err(unexpected(format!(
                "a document for the issuer {} (not {asked})",
                document.issuer
            )));
        }
        Ok(document)
    }
}

impl Discovery {
    /// The profile overrides that point `profile` at this server: its flow's endpoints,
    /// refresh at the token endpoint, the keys, revocation and introspection, and a client
    /// authentication the server supports. An endpoint the flow needs and the document
    /// lacks is an error naming it.
    pub fn overrides_for(&self, profile: &Profile) -> Result<Vec<(String, String)>> {
        let missing = |endpoint: &str| Error::InvalidAccount {
            field: "issuer",
            problem: format!(
                "the issuer {} names no {endpoint}, which the {} profile needs",
                self.issuer, profile.id
            ),
        };
        let token = self
            .token_endpoint
            .clone()
            .ok_or_else(|| missing("token_endpoint"))?;
        let mut set = Vec::new();
        match profile.login.flow {
            LoginFlow::Browser => {
                let page = self.authorization_endpoint.clone();
                set.push((
                    "login.path",
                    page.ok_or_else(|| missing("authorization_endpoint"))?,
                ));
                set.push(("login.token_path", token.clone()));
            }
            LoginFlow::Device => {
                let start = self.device_authorization_endpoint.clone();
                let start = start.ok_or_else(|| missing("device_authorization_endpoint"))?;
                set.push(("login.path", start));
                set.push(("login.token_path", token.clone()));
            }
            LoginFlow::Password | LoginFlow::ClientCredentials => {
                set.push(("login.path", token.clone()));
            }
        }
        if profile.refresh.is_some() {
            set.push(("refresh.path", token));
        }
        set.push(("oauth.issuer", self.issuer.clone()));
        for (key, value) in [
            ("oauth.jwks_url", &self.jwks_uri),
            ("oauth.revocation_path", &self.revocation_endpoint),
            ("oauth.introspection_path", &self.introspection_endpoint),
        ] {
            if let Some(value) = value {
                set.push((key, value.clone()));
            }
        }
        if let Some(auth) = self.client_auth_for(profile) {
            set.push(("client.auth", auth.to_owned()));
        }
        Ok(set.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    /// A secret-holding client's authentication, changed only when the server does not
    /// support the profile's and supports the other one.
    fn client_auth_for(&self, profile: &Profile) -> Option<&'static str> {
        let client = profile.client.as_ref()?;
        let supported = self.token_endpoint_auth_methods_supported.as_ref()?;
        let supports = |name: &str| supported.iter().any(|m| m == name);
        match client.auth {
            ClientAuth::ClientSecretBasic if !supports("client_secret_basic") => {
                supports("client_secret_post").then_some("client_secret_post")
            }
            ClientAuth::ClientSecretPost if !supports("client_secret_post") => {
                supports("client_secret_basic").then_some("client_secret_basic")
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::preset;

    fn keycloak() -> Discovery {
        serde_json::from_str(
            r#"{
              "issuer": "https://id.example/realms/ops",
              "authorization_endpoint": "https://id.example/realms/ops/protocol/openid-connect/auth",
              "token_endpoint": "https://id.example/realms/ops/protocol/openid-connect/token",
              "device_authorization_endpoint": "https://id.example/realms/ops/protocol/openid-connect/auth/device",
              "jwks_uri": "https://id.example/realms/ops/protocol/openid-connect/certs",
              "revocation_endpoint": "https://id.example/realms/ops/protocol/openid-connect/revoke",
              "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
              "grant_types_supported": ["authorization_code"]
            }"#,
        )
        .expect("a discovery document")
    }

    fn value<'a>(set: &'a [(String, String)], key: &str) -> Option<&'a str> {
        set.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    #[test]
    fn a_browser_profile_is_pointed_at_the_authorization_and_token_endpoints() {
        let profile = preset("oidc").expect("the oidc preset").profile.clone();
        let set = keycloak().overrides_for(&profile).expect("overrides");
        assert_eq!(
            value(&set, "login.path"),
            Some("https://id.example/realms/ops/protocol/openid-connect/auth")
        );
        let token = Some("https://id.example/realms/ops/protocol/openid-connect/token");
        assert_eq!(value(&set, "login.token_path"), token);
        assert_eq!(value(&set, "refresh.path"), token);
        assert_eq!(
            value(&set, "oauth.jwks_url"),
            Some("https://id.example/realms/ops/protocol/openid-connect/certs")
        );
        assert_eq!(value(&set, "oauth.introspection_path"), None);
        let pointed = profile.with_overrides(&set).expect("a valid profile");
        assert_eq!(
            pointed.oauth.issuer.as_deref(),
            Some("https://id.example/realms/ops")
        );
    }

    #[test]
    fn a_device_profile_starts_at_the_device_endpoint_and_a_client_uses_a_method_offered() {
        let device = preset("oauth2-device").expect("preset").profile.clone();
        let set = keycloak().overrides_for(&device).expect("overrides");
        assert_eq!(
            value(&set, "login.path"),
            Some("https://id.example/realms/ops/protocol/openid-connect/auth/device")
        );
        let service = preset("oauth2-client-credentials")
            .expect("preset")
            .profile
            .clone();
        let set = keycloak().overrides_for(&service).expect("overrides");
        assert_eq!(value(&set, "client.auth"), Some("client_secret_post"));
        assert_eq!(
            value(&set, "login.path"),
            Some("https://id.example/realms/ops/protocol/openid-connect/token")
        );
    }

    #[test]
    fn an_endpoint_the_flow_needs_and_the_server_lacks_is_named() {
        let mut document = keycloak();
        document.device_authorization_endpoint = None;
        let device = preset("oauth2-device").expect("preset").profile.clone();
        let error = document
            .overrides_for(&device)
            .expect_err("no device endpoint");
        assert!(
            error.to_string().contains("device_authorization_endpoint"),
            "{error}"
        );
    }

    #[test]
    fn the_document_is_looked_for_below_the_issuer() {
        assert_eq!(
            discovery_url("https://id.example/realms/ops/"),
            "https://id.example/realms/ops/.well-known/openid-configuration"
        );
    }
}
