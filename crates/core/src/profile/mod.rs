//! API profiles: a TOML description of one API's login dialect (how to log in,
//! where the tokens and their expiry come from, how to refresh), so a new API
//! needs a file, not code.

mod calls;
mod overrides;
mod preset;
mod validate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use calls::{
    ItemFields, OttVerdict, OttVerification, PrivateTokenCreate, PrivateTokenList, PrivateTokens,
    RevokeCall, ValidateCall,
};
pub use preset::{Preset, preset, presets};

use crate::error::Error;

/// One API's auth dialect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Short stable identifier, such as `prive`.
    pub id: String,
    /// Human name, such as `Privé`.
    pub name: String,
    /// One sentence on what this dialect is.
    #[serde(default)]
    pub description: String,
    /// The login call.
    pub login: LoginRequest,
    /// The OAuth client the calls speak for, and how it proves itself (absent: no client).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<Client>,
    /// Where the access token comes from in a login or refresh answer.
    #[serde(default)]
    pub access_token: TokenSource,
    /// Where the refresh token comes from, if the API has one.
    #[serde(default)]
    pub refresh_token: Option<TokenSource>,
    /// The refresh call; absent means the API has none and tokens are renewed by logging in again.
    #[serde(default)]
    pub refresh: Option<RefreshRequest>,
    /// A call that checks the access token and names its user.
    #[serde(default)]
    pub validate: Option<ValidateCall>,
    /// One-time token verification.
    #[serde(default)]
    pub ott: Option<OttVerification>,
    /// Long-living private tokens: create, list, revoke.
    #[serde(default)]
    pub private_tokens: Option<PrivateTokens>,
    /// What an OAuth server says of itself: its signing keys, its revocation and
    /// introspection endpoints (filled in by discovery, `--issuer`, or written by hand).
    #[serde(default, skip_serializing_if = "OAuthServer::is_empty")]
    pub oauth: OAuthServer,
    /// How the API's own calls carry the access token, for what hands tokens to other tools
    /// (`tokenvault proxy`).
    #[serde(default, skip_serializing_if = "ApiCalls::is_default")]
    pub api: ApiCalls,
}

/// How the API's own calls carry the access token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiCalls {
    /// A header or a cookie (absent: `Authorization: Bearer <token>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send: Option<TokenPlacement>,
}

impl ApiCalls {
    /// Whether the calls carry the token as `Authorization: Bearer`, as most APIs do.
    pub fn is_default(&self) -> bool {
        self.send.is_none()
    }
}

/// An OAuth server's own endpoints beyond login and refresh (RFC 8414, OIDC Discovery).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthServer {
    /// The issuer whose discovery document described the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The server's signing keys (a JWKS URL), which verify its tokens when inspected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_url: Option<String>,
    /// Token revocation (RFC 7009): the refresh token is revoked here when the account is
    /// removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_path: Option<String>,
    /// Token introspection (RFC 7662): what the server says of a token that is not a JWT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_path: Option<String>,
}

impl OAuthServer {
    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// HTTP methods a profile may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    #[default]
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

/// How a request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BodyEncoding {
    /// `application/json`
    #[default]
    Json,
    /// `application/x-www-form-urlencoded`
    Form,
}

/// What a login sends to prove who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum LoginFlow {
    /// A user's identity and password (the default).
    #[default]
    Password,
    /// The OAuth client alone (RFC 6749 §4.4): no user and no password; the account's
    /// secret is the client secret.
    ClientCredentials,
    /// The device authorization grant (RFC 8628): the user approves a code on another
    /// device's browser; no password is kept, and a sign-in needs the person again.
    Device,
    /// The authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636, RFC 8252): the
    /// user signs in on the server's own page in the system browser, which is sent back to
    /// a listener on 127.0.0.1; no password is kept, and a sign-in needs the person again.
    Browser,
}

/// An OAuth client (RFC 6749 §2): its id, and how it authenticates at the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    /// The client id; usually left out of a profile and given per account (`--client-id`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// How the client proves itself on every call to the token endpoint.
    #[serde(default)]
    pub auth: ClientAuth,
}

/// Client authentication methods, by their OAuth names (`token_endpoint_auth_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// HTTP Basic with the client id and secret (RFC 6749 §2.3.1), the default.
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` as body fields.
    ClientSecretPost,
    /// A public client: `client_id` as a body field, no secret.
    None,
}

impl ClientAuth {
    /// Whether the client needs a secret.
    pub fn needs_secret(self) -> bool {
        !matches!(self, ClientAuth::None)
    }
}

/// The login request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Who logs in: a user with a password (default), or the OAuth client alone.
    #[serde(default, skip_serializing_if = "is_password_flow")]
    pub flow: LoginFlow,
    /// HTTP method (default `POST`).
    #[serde(default)]
    pub method: Method,
    /// Path below the account's base URL, starting with `/`.
    pub path: String,
    /// Body encoding (default `json`).
    #[serde(default)]
    pub body: BodyEncoding,
    /// The body field that carries the login identity (`username`, `email`, `login`);
    /// not used by the client-credentials flow.
    #[serde(default)]
    pub identity_field: String,
    /// The body field that carries the password; not used by the client-credentials flow.
    #[serde(default)]
    pub password_field: String,
    /// Fixed extra body fields (`grant_type = "password"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// Fixed extra request headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The token endpoint (`/token`) of the device and browser flows, whose login `path`
    /// is the device authorization endpoint or the authorization endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_path: Option<String>,
    /// The browser flow's redirect port on 127.0.0.1, for servers that register one exact
    /// redirect URI (`http://127.0.0.1:PORT/callback`); without it a free port is taken
    /// for each sign-in, which RFC 8252 §7.3 asks servers to accept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_port: Option<u16>,
    /// The body field that carries a one-time code (a second factor) when the account has
    /// one (`otp`); accounts without a second factor send no such field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otp_field: Option<String>,
    /// Dotted JSON path of the server's message in a refused login or refresh
    /// (`errors.0.message`); without it the usual places are read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// Where a token and its expiry are found in a response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenSource {
    /// The part of the response that holds the token.
    #[serde(flatten)]
    pub location: TokenLocation,
    /// Where its expiry comes from (default: the JWT `exp` claim).
    #[serde(default, skip_serializing_if = "Expiry::is_jwt")]
    pub expiry: Expiry,
}

impl Default for TokenSource {
    fn default() -> Self {
        Self {
            location: TokenLocation::Json { path: None },
            expiry: Expiry::default(),
        }
    }
}

/// The part of a response that holds a token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "kebab-case")]
pub enum TokenLocation {
    /// A field of the JSON body: a dotted path (`data.accessToken`), or when absent the
    /// first common spelling (`access_token`, `accessToken`, `token`, ...) or JWT-shaped string.
    Json {
        /// Dotted path to the field.
        #[serde(default)]
        path: Option<String>,
    },
    /// A `Set-Cookie` of this name.
    Cookie {
        /// Cookie name.
        name: String,
    },
    /// A response header of this name.
    Header {
        /// Header name.
        name: String,
    },
}

/// Where a token's expiry comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "from", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Expiry {
    /// The JWT `exp` claim (tokens that are not JWTs then have an unknown expiry).
    #[default]
    Jwt,
    /// A JSON field of the response, read in the given unit.
    Json {
        /// Dotted path to the field.
        path: String,
        /// How the number or string is read.
        unit: ExpiryUnit,
    },
    /// The `Max-Age` (or `Expires`) of the cookie that carried the token.
    CookieMaxAge,
}

/// How an expiry field is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpiryUnit {
    /// Seconds from now (`expires_in`).
    SecondsFromNow,
    /// Milliseconds from now.
    MillisFromNow,
    /// An absolute Unix time in seconds.
    UnixSeconds,
    /// An absolute Unix time in milliseconds.
    UnixMillis,
    /// An ISO-8601 / RFC 3339 instant.
    Iso8601,
}

/// The refresh request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// HTTP method.
    #[serde(default)]
    pub method: Method,
    /// Path below the account's base URL.
    pub path: String,
    /// Where the refresh token is put in the request.
    pub send: TokenPlacement,
    /// Body encoding for fixed fields and a body-placed token.
    #[serde(default)]
    pub body: BodyEncoding,
    /// Fixed extra body fields (`grant_type = "refresh_token"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// Fixed extra request headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Whether a refresh token in the refresh's answer replaces the one held (the default);
    /// `false` keeps the one held whatever the answer carries.
    #[serde(default = "new_refresh_tokens_replace_the_old")]
    pub rotates: bool,
}

fn is_password_flow(flow: &LoginFlow) -> bool {
    *flow == LoginFlow::Password
}

fn new_refresh_tokens_replace_the_old() -> bool {
    true
}

/// Where a request carries a token (the refresh token of a refresh, the access token of a validate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "in", rename_all = "kebab-case", deny_unknown_fields)]
pub enum TokenPlacement {
    /// A request header of this name, holding the bare token.
    Header {
        /// Header name, such as `token`.
        name: String,
    },
    /// A cookie of this name.
    Cookie {
        /// Cookie name.
        name: String,
    },
    /// A body field (encoded as the request's `body`).
    Body {
        /// Field name.
        field: String,
    },
}

impl Expiry {
    /// Whether the expiry is the JWT's own `exp` (the default).
    pub fn is_jwt(&self) -> bool {
        *self == Expiry::Jwt
    }
}

impl Profile {
    /// Parses and validates a profile; `origin` (a file name or `preset:<id>`) goes into errors.
    pub fn from_toml(origin: &str, text: &str) -> Result<Self, Error> {
        let profile: Profile = toml::from_str(text).map_err(|e| Error::InvalidProfile {
            origin: origin.to_owned(),
            problem: e.message().to_owned(),
            field: field_of(&e, text),
        })?;
        validate::check(&profile).map_err(|(field, problem)| Error::InvalidProfile {
            origin: origin.to_owned(),
            field,
            problem,
        })?;
        Ok(profile)
    }

    /// Whether renewal goes through a refresh call (otherwise it logs in again).
    pub fn has_refresh(&self) -> bool {
        self.refresh.is_some() && self.refresh_token.is_some()
    }

    /// This profile speaking for the client `id` (an account's `--client-id`); `None` or
    /// an empty id keeps the profile's own.
    pub fn with_client_id(mut self, id: Option<&str>) -> Result<Profile, Error> {
        let Some(id) = id.map(str::trim).filter(|id| !id.is_empty()) else {
            return Ok(self);
        };
        let Some(client) = self.client.as_mut() else {
            return Err(Error::InvalidAccount {
                field: "client_id",
                problem: format!(
                    "the {} profile speaks for no OAuth client: leave the client id out, or \
                     use a profile with a [client]",
                    self.id
                ),
            });
        };
        client.id = id.to_owned();
        Ok(self)
    }

    /// Whether a login needs the user's password (the password flow).
    pub fn needs_password(&self) -> bool {
        self.login.flow == LoginFlow::Password
    }

    /// Whether a login needs a person there to approve it (the device and browser flows):
    /// the keeper never starts one.
    pub fn needs_person(&self) -> bool {
        matches!(self.login.flow, LoginFlow::Device | LoginFlow::Browser)
    }

    /// Whether the calls need a client secret (a client that authenticates with one).
    pub fn needs_client_secret(&self) -> bool {
        self.client.as_ref().is_some_and(|c| c.auth.needs_secret())
    }

    /// Every endpoint given as a whole URL rather than a path (discovered endpoints often
    /// live on another host than the issuer), with the key it is under.
    pub fn absolute_urls(&self) -> Vec<(&'static str, &str)> {
        let mut all: Vec<(&'static str, &str)> = vec![("login.path", &self.login.path)];
        let optional = [
            ("login.token_path", self.login.token_path.as_deref()),
            (
                "refresh.path",
                self.refresh.as_ref().map(|r| r.path.as_str()),
            ),
            (
                "validate.path",
                self.validate.as_ref().map(|v| v.path.as_str()),
            ),
            ("oauth.jwks_url", self.oauth.jwks_url.as_deref()),
            (
                "oauth.revocation_path",
                self.oauth.revocation_path.as_deref(),
            ),
            (
                "oauth.introspection_path",
                self.oauth.introspection_path.as_deref(),
            ),
        ];
        all.extend(optional.into_iter().filter_map(|(k, v)| Some((k, v?))));
        all.retain(|(_, v)| is_absolute(v));
        all
    }
}

/// Whether `path` is a whole `http(s)://` URL rather than a path below the base URL.
pub fn is_absolute(path: &str) -> bool {
    path.starts_with("https://") || path.starts_with("http://")
}

/// Names the line of a TOML error, the closest thing to a field that toml reports.
fn field_of(error: &toml::de::Error, text: &str) -> String {
    match error.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}")
        }
        None => "(document)".to_owned(),
    }
}
