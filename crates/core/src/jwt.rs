//! Reading a JWT without verifying it: the header and claims, and the instants
//! they name. Nothing here checks a signature, and the type name says so.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// Why a string is not a readable JWT.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// Not three dot-separated parts.
    #[error("a JWT has three dot-separated parts, this has {0}")]
    WrongPartCount(usize),
    /// A part is not base64url.
    #[error("the {0} of the JWT is not base64url")]
    NotBase64(&'static str),
    /// A part decodes but is not a JSON object.
    #[error("the {0} of the JWT is not a JSON object")]
    NotJsonObject(&'static str),
}

/// The decoded header and claims of a JWT whose signature has NOT been checked.
#[derive(Debug, Clone, PartialEq)]
pub struct UnverifiedJwt {
    /// The JOSE header (`alg`, `typ`, `kid`, ...).
    pub header: Map<String, Value>,
    /// The claims (`sub`, `exp`, `roles`, ...).
    pub claims: Map<String, Value>,
}

impl UnverifiedJwt {
    /// Decodes `token`; a leading `Bearer ` is ignored.
    pub fn decode(token: &str) -> Result<Self, JwtError> {
        let token = token.trim();
        let token = token.strip_prefix("Bearer ").unwrap_or(token).trim();
        let parts: Vec<&str> = token.split('.').collect();
        if parts.len() != 3 {
            return Err(JwtError::WrongPartCount(parts.len()));
        }
        Ok(Self {
            header: decode_part(parts[0], "header")?,
            claims: decode_part(parts[1], "claims")?,
        })
    }

    /// The `exp` claim as an instant, when present and a sane number.
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        self.instant_claim("exp")
    }

    /// The `iat` claim as an instant.
    pub fn issued_at(&self) -> Option<OffsetDateTime> {
        self.instant_claim("iat")
    }

    /// The `nbf` claim as an instant.
    pub fn not_before(&self) -> Option<OffsetDateTime> {
        self.instant_claim("nbf")
    }

    fn instant_claim(&self, name: &str) -> Option<OffsetDateTime> {
        let seconds = self.claims.get(name)?.as_f64()?;
        if !seconds.is_finite() {
            return None;
        }
        OffsetDateTime::from_unix_timestamp(seconds.trunc() as i64).ok()
    }
}

/// Whether `value` has the shape of a JWT (three base64url parts, JSON header and claims).
pub fn looks_like_jwt(value: &str) -> bool {
    value.len() > 20 && UnverifiedJwt::decode(value).is_ok()
}

fn decode_part(part: &str, which: &'static str) -> Result<Map<String, Value>, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| JwtError::NotBase64(which))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(JwtError::NotJsonObject(which)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    fn token(claims: &str) -> String {
        format!(
            "{}.{}.c2ln",
            encode(r#"{"alg":"HS256","typ":"JWT"}"#),
            encode(claims)
        )
    }

    #[test]
    fn decodes_header_claims_and_instants() {
        let jwt =
            UnverifiedJwt::decode(&token(r#"{"sub":"ana","iat":1700000000,"exp":1700003600}"#))
                .unwrap();
        assert_eq!(jwt.header["alg"], "HS256");
        assert_eq!(jwt.claims["sub"], "ana");
        assert_eq!(jwt.expires_at().unwrap().unix_timestamp(), 1_700_003_600);
        assert_eq!(jwt.issued_at().unwrap().unix_timestamp(), 1_700_000_000);
        assert_eq!(jwt.not_before(), None);
    }

    #[test]
    fn a_bearer_prefix_is_ignored() {
        let value = format!("Bearer {}", token(r#"{"exp":1}"#));
        assert!(UnverifiedJwt::decode(&value).is_ok());
    }

    #[test]
    fn an_absurd_exp_gives_no_instant_rather_than_a_panic() {
        let jwt = UnverifiedJwt::decode(&token(r#"{"exp":1e300}"#)).unwrap();
        assert_eq!(jwt.expires_at(), None);
        let jwt = UnverifiedJwt::decode(&token(r#"{"exp":"tomorrow"}"#)).unwrap();
        assert_eq!(jwt.expires_at(), None);
    }

    #[test]
    fn opaque_strings_are_not_jwts() {
        assert_eq!(
            UnverifiedJwt::decode("abc"),
            Err(JwtError::WrongPartCount(1))
        );
        assert_eq!(
            UnverifiedJwt::decode("a.b.c"),
            Err(JwtError::NotBase64("header"))
        );
        assert_eq!(
            UnverifiedJwt::decode("YWJj.YWJj.c2ln"),
            Err(JwtError::NotJsonObject("header"))
        );
        assert!(!looks_like_jwt("Token refreshed successfully"));
        assert!(looks_like_jwt(&token(r#"{"sub":"x"}"#)));
    }
}
