//! JWT inspection for people: the header and claims, times in words, roles and
//! identity, and, when given a key, whether the signature holds. Nothing is
//! called verified unless a signature was checked, and the result says how.

use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::auth::Authenticator;
use crate::error::Error;
use crate::jwt::{JwtError, UnverifiedJwt};
use crate::secret::Secret;

/// A decoded token, for display.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    /// The JOSE header.
    pub header: Map<String, Value>,
    /// The claims.
    pub claims: Map<String, Value>,
    /// `exp`, `iat`, `nbf` (and `auth_time`) as instants with words.
    pub times: Vec<TimeClaim>,
    /// Roles found in the usual claims (`roles`, `role`, `groups`, `scope`, `realm_access.roles`).
    pub roles: Vec<String>,
    /// The identity: the first of [`IDENTITY_CLAIMS`] the token has.
    pub identity: Option<String>,
    /// Whether it has expired at the inspection instant.
    pub expired: Option<bool>,
}

/// A time claim in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeClaim {
    /// Claim name.
    pub name: &'static str,
    /// The instant.
    pub at: OffsetDateTime,
    /// `in 4 min`, `3 h ago`.
    pub relative: String,
}

/// What was done about the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Nothing: no key was given. The claims may be forged.
    Unverified,
    /// The signature holds for the key.
    Verified {
        /// Which kind of key checked it.
        by: KeyKind,
        /// The algorithm used.
        algorithm: String,
    },
    /// The signature does not hold, or could not be checked.
    Failed {
        /// Which kind of key was tried.
        by: KeyKind,
        /// Why.
        reason: String,
    },
}

/// The kinds of key a signature can be checked with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    /// A shared HMAC secret (HS256/384/512).
    HmacSecret,
    /// A PEM public key (RSA, EC or Ed25519).
    PemPublicKey,
    /// A key from a JWKS document at this URL.
    Jwks(String),
}

/// An inspection and its verdict in one shape for every edge: the command line's
/// `--json` and the app's inspector. Instants are RFC 3339 text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Report {
    /// The JOSE header.
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, unknown>"))]
    pub header: Map<String, Value>,
    /// The claims.
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, unknown>"))]
    pub claims: Map<String, Value>,
    /// The time claims.
    pub times: Vec<TimeReport>,
    /// Roles.
    pub roles: Vec<String>,
    /// The identity.
    pub identity: Option<String>,
    /// Whether it had expired.
    pub expired: Option<bool>,
    /// What was done about the signature.
    pub verification: VerificationReport,
}

/// A time claim in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct TimeReport {
    /// `exp`, `iat`, ...
    pub claim: &'static str,
    /// RFC 3339.
    pub at: Option<String>,
    /// `in 4 min`.
    pub relative: String,
}

/// A verdict in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct VerificationReport {
    /// `unverified`, `verified` or `failed`.
    #[cfg_attr(
        feature = "typescript",
        ts(type = "\"unverified\" | \"verified\" | \"failed\"")
    )]
    pub status: &'static str,
    /// `hmac-secret`, `pem-public-key` or `jwks <url>`.
    pub by: Option<String>,
    /// The algorithm that checked it.
    pub algorithm: Option<String>,
    /// Why it failed.
    pub reason: Option<String>,
}

impl Report {
    /// The report of an inspection and its verdict.
    pub fn new(inspection: &Inspection, verification: &Verification) -> Self {
        let label = |k: &KeyKind| match k {
            KeyKind::HmacSecret => "hmac-secret".to_owned(),
            KeyKind::PemPublicKey => "pem-public-key".to_owned(),
            KeyKind::Jwks(url) => format!("jwks {url}"),
        };
        let verification = match verification {
            Verification::Unverified => VerificationReport {
                status: "unverified",
                by: None,
                algorithm: None,
                reason: None,
            },
            Verification::Verified { by, algorithm } => VerificationReport {
                status: "verified",
                by: Some(label(by)),
                algorithm: Some(algorithm.clone()),
                reason: None,
            },
            Verification::Failed { by, reason } => VerificationReport {
                status: "failed",
                by: Some(label(by)),
                algorithm: None,
                reason: Some(reason.clone()),
            },
        };
        Self {
            header: inspection.header.clone(),
            claims: inspection.claims.clone(),
            times: inspection
                .times
                .iter()
                .map(|t| TimeReport {
                    claim: t.name,
                    at: t.at.format(&Rfc3339).ok(),
                    relative: t.relative.clone(),
                })
                .collect(),
            roles: inspection.roles.clone(),
            identity: inspection.identity.clone(),
            expired: inspection.expired,
            verification,
        }
    }
}

/// Decodes `token` and describes it at `now`. Does not check the signature.
pub fn inspect(token: &str, now: OffsetDateTime) -> Result<Inspection, JwtError> {
    let jwt = UnverifiedJwt::decode(token)?;
    let mut times = Vec::new();
    for name in ["exp", "iat", "nbf", "auth_time"] {
        if let Some(at) = jwt
            .claims
            .get(name)
            .and_then(Value::as_f64)
            .filter(|s| s.is_finite())
            && let Ok(at) = OffsetDateTime::from_unix_timestamp(at.trunc() as i64)
        {
            times.push(TimeClaim {
                name,
                at,
                relative: relative(at, now),
            });
        }
    }
    let expired = jwt.expires_at().map(|at| at <= now);
    let identity = IDENTITY_CLAIMS
        .iter()
        .find_map(|k| match jwt.claims.get(*k) {
            Some(Value::String(text)) if !text.is_empty() => Some(text.clone()),
            // SimpleJWT's `user_id` and many others are numbers.
            Some(Value::Number(number)) => Some(number.to_string()),
            _ => None,
        });
    Ok(Inspection {
        roles: roles(&jwt.claims),
        header: jwt.header,
        claims: jwt.claims,
        times,
        identity,
        expired,
    })
}

/// The claims that name a token's user, most telling first: OIDC's, then the ids that
/// SimpleJWT (`user_id`), Directus (`id`) and others put in place of `sub`.
pub const IDENTITY_CLAIMS: [&str; 8] = [
    "email",
    "preferred_username",
    "username",
    "login",
    "sub",
    "user_id",
    "uid",
    "id",
];

/// A token as people paste it: without an `Authorization:` name, a `Bearer ` prefix or
/// the spaces around it.
pub fn bare_token(pasted: &str) -> &str {
    let text = pasted.trim();
    let text = text
        .strip_prefix("Authorization:")
        .map_or(text, str::trim_start);
    text.strip_prefix("Bearer ").map_or(text, str::trim_start)
}

/// What a signature is checked with: a key the user gives.
#[derive(Debug)]
pub enum Key {
    /// A shared HMAC secret (HS* tokens only).
    Secret(Secret),
    /// A PEM public key (RS/PS/ES/EdDSA tokens only).
    Pem(Vec<u8>),
    /// A JWKS, fetched from this URL; its key is chosen by `kid`.
    Jwks(String),
}

impl Key {
    /// Checks `token`'s signature with this key (a JWKS is fetched with `http` first).
    /// A signature that does not hold is a [`Verification::Failed`]; only fetching a JWKS
    /// can fail as an error.
    pub async fn verify(&self, token: &str, http: &Authenticator) -> Result<Verification, Error> {
        Ok(match self {
            Key::Secret(secret) => verify_with_secret(token, secret),
            Key::Pem(pem) => verify_with_pem(token, pem),
            Key::Jwks(url) => {
                let url = url.trim();
                verify_with_jwks(token, &http.fetch_jwks(url).await?, url)
            }
        })
    }
}

/// Checks the signature with a shared HMAC secret.
pub fn verify_with_secret(token: &str, secret: &Secret) -> Verification {
    check(token, KeyKind::HmacSecret, |alg| match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            Ok(DecodingKey::from_secret(secret.expose().as_bytes()))
        }
        other => Err(format!(
            "the token is signed with {other:?}, which an HMAC secret cannot check"
        )),
    })
}

/// Checks the signature with a PEM public key.
pub fn verify_with_pem(token: &str, pem: &[u8]) -> Verification {
    check(token, KeyKind::PemPublicKey, |alg| {
        let key = match alg {
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => DecodingKey::from_rsa_pem(pem),
            Algorithm::ES256 | Algorithm::ES384 => DecodingKey::from_ec_pem(pem),
            Algorithm::EdDSA => DecodingKey::from_ed_pem(pem),
            other => {
                return Err(format!(
                    "the token is signed with {other:?}, which a public key cannot check"
                ));
            }
        };
        key.map_err(|e| format!("the PEM key cannot be read: {e}"))
    })
}

/// Checks the signature with the key of the token's `kid` in a JWKS document.
pub fn verify_with_jwks(token: &str, jwks: &str, url: &str) -> Verification {
    let by = KeyKind::Jwks(url.to_owned());
    let set: JwkSet = match serde_json::from_str(jwks) {
        Ok(set) => set,
        Err(e) => {
            return Verification::Failed {
                by,
                reason: format!("the JWKS is not valid: {e}"),
            };
        }
    };
    let kid = UnverifiedJwt::decode(token).ok().and_then(|jwt| {
        jwt.header
            .get("kid")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let jwk = match &kid {
        Some(kid) => set.find(kid),
        None if set.keys.len() == 1 => set.keys.first(),
        None => None,
    };
    let Some(jwk) = jwk else {
        let reason = match kid {
            Some(kid) => format!("the JWKS has no key with kid `{kid}`"),
            None => "the token has no kid and the JWKS has several keys".to_owned(),
        };
        return Verification::Failed { by, reason };
    };
    check(token, by, |_| {
        DecodingKey::from_jwk(jwk).map_err(|e| format!("the JWK cannot be used: {e}"))
    })
}

fn check(
    token: &str,
    by: KeyKind,
    key_for: impl FnOnce(Algorithm) -> Result<DecodingKey, String>,
) -> Verification {
    let token = bare_token(token);
    let algorithm = match UnverifiedJwt::decode(token) {
        Ok(jwt) => jwt
            .header
            .get("alg")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        Err(e) => {
            return Verification::Failed {
                by,
                reason: e.to_string(),
            };
        }
    };
    if algorithm.eq_ignore_ascii_case("none") {
        return Verification::Failed {
            by,
            reason: "alg `none` is never accepted".to_owned(),
        };
    }
    let alg = match algorithm.parse::<Algorithm>() {
        Ok(alg) => alg,
        Err(_) => {
            return Verification::Failed {
                by,
                reason: format!("unknown algorithm `{algorithm}`"),
            };
        }
    };
    let key = match key_for(alg) {
        Ok(key) => key,
        Err(reason) => return Verification::Failed { by, reason },
    };
    // Only the signature is judged here; expiry is reported beside it, not mixed in.
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    match jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation) {
        Ok(_) => Verification::Verified { by, algorithm },
        Err(e) => Verification::Failed {
            by,
            reason: failure_in_words(&e, &algorithm),
        },
    }
}

/// What a failed check means, in words (the library's own names, such as
/// `InvalidSignature`, say nothing to a person).
fn failure_in_words(error: &jsonwebtoken::errors::Error, algorithm: &str) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::InvalidSignature => {
            format!("the {algorithm} signature does not match this key")
        }
        ErrorKind::InvalidAlgorithm => {
            format!("the key is not one for {algorithm} tokens")
        }
        ErrorKind::InvalidKeyFormat | ErrorKind::InvalidEcdsaKey | ErrorKind::InvalidRsaKey(_) => {
            "the key is not readable as a key for this token".to_owned()
        }
        ErrorKind::InvalidToken
        | ErrorKind::Base64(_)
        | ErrorKind::Json(_)
        | ErrorKind::Utf8(_) => "the token is not a well-formed signed JWT".to_owned(),
        other => format!("the signature could not be checked ({other:?})"),
    }
}

fn roles(claims: &Map<String, Value>) -> Vec<String> {
    let mut found = Vec::new();
    let mut take = |value: Option<&Value>| match value {
        Some(Value::Array(items)) => {
            found.extend(items.iter().filter_map(|i| match i {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }));
        }
        Some(Value::String(s)) => found.extend(s.split_whitespace().map(str::to_owned)),
        _ => {}
    };
    for key in ["roles", "role", "groups", "authorities", "scope", "scp"] {
        take(claims.get(key));
    }
    take(claims.get("realm_access").and_then(|r| r.get("roles")));
    found.dedup();
    found
}

/// `in 4 min`, `3 h ago`, `in 2 d`, `now`.
pub fn relative(at: OffsetDateTime, now: OffsetDateTime) -> String {
    let seconds = (at - now).whole_seconds();
    let magnitude = seconds.unsigned_abs();
    let amount = match magnitude {
        0..=4 => return "now".to_owned(),
        5..=59 => format!("{magnitude} s"),
        60..=3599 => format!("{} min", magnitude / 60),
        3600..=172_799 => format!("{} h", magnitude / 3600),
        _ => format!("{} d", magnitude / 86_400),
    };
    if seconds > 0 {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-01-01 12:00 UTC);

    fn signed(secret: &str, claims: Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    #[test]
    fn inspection_names_times_roles_and_identity_without_claiming_verification() {
        let token = signed(
            "k",
            json!({"sub": "u-1", "email": "ana@example.com", "exp": NOW.unix_timestamp() + 240,
                   "iat": NOW.unix_timestamp() - 3 * 3600, "realm_access": {"roles": ["support"]},
                   "scope": "openid email"}),
        );
        let seen = inspect(&token, NOW).unwrap();
        assert_eq!(seen.identity.as_deref(), Some("ana@example.com"));
        assert_eq!(seen.roles, ["openid", "email", "support"]);
        assert_eq!(seen.times[0].name, "exp");
        assert_eq!(seen.times[0].relative, "in 4 min");
        assert_eq!(seen.times[1].relative, "3 h ago");
        assert_eq!(seen.expired, Some(false));
    }

    #[test]
    fn a_token_with_only_a_numeric_user_id_or_an_id_still_names_its_user() {
        let simplejwt = signed("k", json!({"user_id": 42, "token_type": "access"}));
        assert_eq!(
            inspect(&simplejwt, NOW).unwrap().identity.as_deref(),
            Some("42")
        );
        let directus = signed("k", json!({"id": "5f0c-a1", "role": "admin"}));
        assert_eq!(
            inspect(&directus, NOW).unwrap().identity.as_deref(),
            Some("5f0c-a1")
        );
    }

    #[test]
    fn a_pasted_header_line_or_bearer_prefix_is_taken_off() {
        assert_eq!(bare_token(" eyJ.a.b "), "eyJ.a.b");
        assert_eq!(bare_token("Bearer eyJ.a.b"), "eyJ.a.b");
        assert_eq!(bare_token("Authorization: Bearer eyJ.a.b\n"), "eyJ.a.b");
    }

    #[test]
    fn the_right_secret_verifies_and_a_wrong_one_fails() {
        let token = signed("right-secret", json!({"sub": "x", "exp": 1}));
        assert_eq!(
            verify_with_secret(&token, &Secret::new("right-secret")),
            Verification::Verified {
                by: KeyKind::HmacSecret,
                algorithm: "HS256".into()
            },
            "an expired token still has a valid signature"
        );
        assert_eq!(
            verify_with_secret(&token, &Secret::new("wrong-secret")),
            Verification::Failed {
                by: KeyKind::HmacSecret,
                reason: "the HS256 signature does not match this key".into()
            },
            "said in words, not as the library's name for it"
        );
    }

    #[test]
    fn alg_none_is_never_verified() {
        use base64::Engine as _;
        let part =
            |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let token = format!(
            "{}.{}.",
            part(json!({"alg": "none"})),
            part(json!({"sub": "admin"}))
        );
        assert_eq!(
            verify_with_secret(&token, &Secret::new("k")),
            Verification::Failed {
                by: KeyKind::HmacSecret,
                reason: "alg `none` is never accepted".into()
            }
        );
    }

    #[test]
    fn an_hmac_token_is_not_checked_with_a_public_key() {
        let token = signed("k", json!({"sub": "x"}));
        let outcome = verify_with_pem(
            &token,
            b"-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n",
        );
        assert!(
            matches!(outcome, Verification::Failed { ref reason, .. } if reason.contains("HS256")),
            "{outcome:?}"
        );
    }

    // A key pair made for these tests only; it protects nothing.
    const ED_PRIVATE: &[u8] = include_bytes!("../testdata/ed25519-test-only.pem");
    const ED_PUBLIC: &[u8] = include_bytes!("../testdata/ed25519-test-only.pub.pem");

    #[test]
    fn a_public_key_verifies_its_own_signature_and_refuses_a_tampered_token() {
        let key = EncodingKey::from_ed_pem(ED_PRIVATE).unwrap();
        let token =
            jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &json!({"sub": "ana"}), &key)
                .unwrap();
        assert_eq!(
            verify_with_pem(&token, ED_PUBLIC),
            Verification::Verified {
                by: KeyKind::PemPublicKey,
                algorithm: "EdDSA".into()
            }
        );
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged_claims = {
            use base64::Engine as _;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"sub":"admin"}"#)
        };
        parts[1] = &forged_claims;
        let tampered = parts.join(".");
        assert!(matches!(
            verify_with_pem(&tampered, ED_PUBLIC),
            Verification::Failed {
                by: KeyKind::PemPublicKey,
                ..
            }
        ));
    }

    #[test]
    fn a_jwks_key_is_found_by_kid() {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("k1".into());
        let token = jsonwebtoken::encode(
            &header,
            &json!({"sub": "x"}),
            &EncodingKey::from_secret(b"shared"),
        )
        .unwrap();
        use base64::Engine as _;
        let k = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("shared");
        let jwks =
            json!({"keys": [{"kty": "oct", "kid": "k1", "alg": "HS256", "k": k}]}).to_string();
        assert!(matches!(
            verify_with_jwks(&token, &jwks, "https://x/jwks"),
            Verification::Verified { .. }
        ));
        let other = json!({"keys": [{"kty": "oct", "kid": "k2", "k": k}]}).to_string();
        assert_eq!(
            verify_with_jwks(&token, &other, "u"),
            Verification::Failed {
                by: KeyKind::Jwks("u".into()),
                reason: "the JWKS has no key with kid `k1`".into()
            }
        );
    }

    #[test]
    fn relative_times_read_naturally() {
        assert_eq!(relative(NOW, NOW), "now");
        assert_eq!(relative(NOW + time::Duration::seconds(30), NOW), "in 30 s");
        assert_eq!(relative(NOW - time::Duration::days(3), NOW), "3 d ago");
    }
}
