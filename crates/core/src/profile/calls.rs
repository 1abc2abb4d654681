//! The optional calls a profile may describe: validate, one-time-token
//! verification, and private tokens. Each is sent with the access token as
//! `Authorization: Bearer` and reads its answer as the profile says.

use serde::{Deserialize, Serialize};

use super::{BodyEncoding, ExpiryUnit, Method, TokenPlacement};

/// A call that checks the access token (`GET /auth/validate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidateCall {
    /// HTTP method (default `POST`; most validate calls are `GET`).
    #[serde(default)]
    pub method: Method,
    /// Path below the base URL.
    pub path: String,
    /// JSON path of the identity in the answer (`email`), when it names one.
    #[serde(default)]
    pub identity: Option<String>,
    /// Where the access token goes (default: `Authorization: Bearer`).
    #[serde(default)]
    pub send: Option<TokenPlacement>,
    /// Body encoding when the token goes in the body.
    #[serde(default)]
    pub body: BodyEncoding,
}

/// How a one-time token (OTT) is verified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OttVerification {
    /// HTTP method.
    #[serde(default)]
    pub method: Method,
    /// Path below the base URL.
    pub path: String,
    /// Body encoding.
    #[serde(default)]
    pub body: BodyEncoding,
    /// The body field that carries the one-time token.
    pub token_field: String,
    /// How the answer says valid or not.
    pub verdict: OttVerdict,
    /// JSON path of the identity the token belongs to (`login`).
    #[serde(default)]
    pub identity: Option<String>,
    /// JSON path of the reason given for an invalid token (`message`).
    #[serde(default)]
    pub reason: Option<String>,
}

/// How an OTT verification answer says valid or invalid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "kebab-case", deny_unknown_fields)]
pub enum OttVerdict {
    /// A JSON boolean at `path`: `true` is valid.
    JsonBool {
        /// Dotted path.
        path: String,
    },
    /// The status: 2xx is valid, 400/401/403/404/410 are not.
    Status,
}

/// Long-living private tokens, managed with the access token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateTokens {
    /// Creating one.
    pub create: PrivateTokenCreate,
    /// Listing them.
    pub list: PrivateTokenList,
    /// Revoking one: method and path, where `{id}` stands for the token's id.
    pub revoke: RevokeCall,
}

/// The create call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateTokenCreate {
    /// HTTP method.
    #[serde(default)]
    pub method: Method,
    /// Path below the base URL.
    pub path: String,
    /// Body encoding.
    #[serde(default)]
    pub body: BodyEncoding,
    /// The body field for the label.
    pub label_field: String,
    /// The body field for the expiry.
    pub expiry_field: String,
    /// How the expiry is written in the request.
    pub expiry_unit: ExpiryUnit,
    /// JSON path of the new token in the answer.
    pub token: String,
    /// Where the id, label and expiry are in the answer.
    pub fields: ItemFields,
}

/// The list call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateTokenList {
    /// HTTP method (default `POST`; usually `GET`).
    #[serde(default)]
    pub method: Method,
    /// Path below the base URL.
    pub path: String,
    /// JSON path of the array of tokens (empty: the answer is the array).
    #[serde(default)]
    pub items: String,
    /// Where the id, label and expiry are in each item.
    pub fields: ItemFields,
}

/// The revoke call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeCall {
    /// HTTP method (default `POST`; usually `DELETE`).
    #[serde(default)]
    pub method: Method,
    /// Path below the base URL with `{id}` in it.
    pub path: String,
}

/// Where a private token's id, label and expiry are in an answer item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemFields {
    /// JSON path of the id.
    pub id: String,
    /// JSON path of the label.
    pub label: String,
    /// JSON path of the expiry.
    pub expires_at: String,
    /// How the expiry is written.
    pub expiry_unit: ExpiryUnit,
}
