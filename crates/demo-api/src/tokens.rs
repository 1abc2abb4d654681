//! Real signed JWTs (HS256; EdDSA for the OpenID Connect dialect, whose key is published as
//! a JWKS), and the server's memory of what it issued.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::Dialect;

/// The HMAC secret every demo token is signed with; public on purpose, so the
/// JWT inspector can be shown verifying a signature.
pub const SIGNING_SECRET: &str = "tokenvault-demo-signing-secret";

/// The OpenID Connect dialect's Ed25519 signing key (public on purpose: it is a demo).
const OIDC_PRIVATE_PEM: &[u8] = include_bytes!("../keys/oidc-ed25519-demo-only.pem");
/// Its public half, published at `/oidc/jwks`.
pub const OIDC_PUBLIC_PEM: &[u8] = include_bytes!("../keys/oidc-ed25519-demo-only.pub.pem");
/// The `kid` of that key.
pub const OIDC_KEY_ID: &str = "demo-ed25519";

/// How `dialect`'s tokens are signed: its header and key.
fn signer(dialect: Dialect) -> (Header, EncodingKey) {
    if dialect == Dialect::Oidc {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(OIDC_KEY_ID.to_owned());
        if let Ok(key) = EncodingKey::from_ed_pem(OIDC_PRIVATE_PEM) {
            return (header, key);
        }
    }
    (
        Header::new(Algorithm::HS256),
        EncodingKey::from_secret(SIGNING_SECRET.as_bytes()),
    )
}

/// How `dialect`'s tokens are checked.
fn checker(dialect: Dialect) -> (Algorithm, DecodingKey) {
    if dialect == Dialect::Oidc
        && let Ok(key) = DecodingKey::from_ed_pem(OIDC_PUBLIC_PEM)
    {
        return (Algorithm::EdDSA, key);
    }
    (
        Algorithm::HS256,
        DecodingKey::from_secret(SIGNING_SECRET.as_bytes()),
    )
}

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An access token.
    Access,
    /// A refresh token.
    Refresh,
    /// A long-living private token.
    Private,
}

/// The claims of a demo token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user's identity.
    pub sub: String,
    /// `tokenvault-demo/<dialect>`.
    pub iss: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expires at (Unix seconds).
    pub exp: i64,
    /// Unique token id.
    pub jti: String,
    /// What the token is for.
    pub typ: Kind,
    /// The user's roles.
    #[serde(default)]
    pub roles: Vec<String>,
    /// What the token may do, where the server says so (private tokens, on request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// Signs and checks tokens, and remembers refresh tokens and revocations.
#[derive(Debug, Default)]
pub struct Issuer {
    next_id: AtomicU64,
    state: std::sync::Mutex<Memory>,
    /// How long a rotated-away refresh token may still be used once (zero: never).
    reuse_grace: Duration,
    grace_reuses: AtomicU64,
}

#[derive(Debug, Default)]
struct Memory {
    /// Refresh token ids that may still be used, per user.
    live_refresh: HashMap<String, HashSet<String>>,
    /// Refresh token ids already rotated away, with when.
    used_refresh: HashMap<String, Instant>,
    /// Revoked token ids (private tokens).
    revoked: HashSet<String>,
    /// The refresh tokens issued, the newest [`REMEMBERED_REFRESH_TOKENS`] of them.
    issued_refresh: std::collections::VecDeque<String>,
}

/// How many issued refresh tokens the server remembers for tests to look for (a lively
/// demo running for days issues many more).
const REMEMBERED_REFRESH_TOKENS: usize = 10_000;

/// Why a presented token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Bad signature, bad shape, wrong dialect or kind.
    Invalid,
    /// Past its `exp`.
    Expired,
    /// Revoked by the user.
    Revoked,
    /// A refresh token that was already rotated away.
    Reused,
}

impl Refusal {
    /// A short explanation for error bodies.
    pub fn describe(self) -> &'static str {
        match self {
            Refusal::Invalid => "token is invalid",
            Refusal::Expired => "token has expired",
            Refusal::Revoked => "token was revoked",
            Refusal::Reused => "refresh token was already used",
        }
    }
}

impl Issuer {
    /// An issuer that accepts a rotated-away refresh token for `grace` after its rotation,
    /// as servers with a reuse interval do (Auth0, Okta): a client that crashed before it
    /// stored the new token can still refresh with the old one.
    pub fn with_reuse_grace(grace: Duration) -> Self {
        Self {
            reuse_grace: grace,
            ..Self::default()
        }
    }

    /// How many refreshes used a rotated-away token within the reuse grace.
    pub fn grace_reuses(&self) -> u64 {
        self.grace_reuses.load(Ordering::SeqCst)
    }

    /// Issues a token for `user` of `dialect` valid for `ttl`.
    pub fn issue(
        &self,
        dialect: Dialect,
        user: &str,
        roles: &[&str],
        kind: Kind,
        ttl: Duration,
    ) -> (String, Claims) {
        self.issue_scoped(dialect, user, roles, kind, ttl, None)
    }

    /// [`Issuer::issue`], with a `scope` claim.
    pub fn issue_scoped(
        &self,
        dialect: Dialect,
        user: &str,
        roles: &[&str],
        kind: Kind,
        ttl: Duration,
        scope: Option<&str>,
    ) -> (String, Claims) {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let claims = Claims {
            sub: user.to_owned(),
            iss: format!("tokenvault-demo/{}", dialect.as_str()),
            iat: now,
            exp: now + i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 4),
            jti: format!("{}-{id}", dialect.as_str()),
            typ: kind,
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            scope: scope.map(str::to_owned),
        };
        let (header, key) = signer(dialect);
        let token = jsonwebtoken::encode(&header, &claims, &key).unwrap_or_default();
        if kind == Kind::Refresh {
            let mut memory = self.memory();
            memory
                .live_refresh
                .entry(user.to_owned())
                .or_default()
                .insert(claims.jti.clone());
            if memory.issued_refresh.len() == REMEMBERED_REFRESH_TOKENS {
                memory.issued_refresh.pop_front();
            }
            memory.issued_refresh.push_back(token.clone());
        }
        (token, claims)
    }

    /// Every refresh token issued (the newest 10,000): what a client was given and must
    /// never write down in plain text.
    pub fn issued_refresh_tokens(&self) -> Vec<String> {
        self.memory().issued_refresh.iter().cloned().collect()
    }

    /// Checks a token's signature, expiry, dialect, kind and revocation.
    pub fn check(&self, token: &str, dialect: Dialect, kinds: &[Kind]) -> Result<Claims, Refusal> {
        let (algorithm, key) = checker(dialect);
        let mut validation = Validation::new(algorithm);
        validation.leeway = 0;
        validation.set_issuer(&[format!("tokenvault-demo/{}", dialect.as_str())]);
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => Refusal::Expired,
                _ => Refusal::Invalid,
            })?
            .claims;
        if !kinds.contains(&claims.typ) {
            return Err(Refusal::Invalid);
        }
        if self.memory().revoked.contains(&claims.jti) {
            return Err(Refusal::Revoked);
        }
        Ok(claims)
    }

    /// Uses a refresh token once: it is rotated away, and presenting it again revokes
    /// every refresh token of its user (reuse detection, as OAuth 2.0 security advice says),
    /// unless it comes back within the reuse grace.
    pub fn rotate(&self, claims: &Claims) -> Result<(), Refusal> {
        let mut memory = self.memory();
        let live = memory.live_refresh.entry(claims.sub.clone()).or_default();
        if live.remove(&claims.jti) {
            memory
                .used_refresh
                .insert(claims.jti.clone(), Instant::now());
            return Ok(());
        }
        match memory.used_refresh.get(&claims.jti) {
            Some(at) if at.elapsed() < self.reuse_grace => {
                self.grace_reuses.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
            Some(_) => {
                memory.live_refresh.remove(&claims.sub);
                Err(Refusal::Reused)
            }
            None => Err(Refusal::Revoked),
        }
    }

    /// Whether a token id is still live (not revoked).
    pub fn is_live(&self, jti: &str) -> bool {
        !self.memory().revoked.contains(jti)
    }

    /// Marks a token id revoked.
    pub fn revoke(&self, jti: &str) {
        self.memory().revoked.insert(jti.to_owned());
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A demo token changed as a hostile server would send it: unsigned (`alg: none`),
/// expired an hour ago, or expiring in the year 99999; `None` for another fault or a token
/// this server did not sign.
pub fn forged(token: &str, fault: crate::Fault) -> Option<String> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims: serde_json::Value = jsonwebtoken::decode(
        token,
        &DecodingKey::from_secret(SIGNING_SECRET.as_bytes()),
        &validation,
    )
    .ok()?
    .claims;
    let sign = |claims: &serde_json::Value| {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(SIGNING_SECRET.as_bytes()),
        )
        .ok()
    };
    let mut claims = claims;
    match fault {
        crate::Fault::UnsignedToken => {
            let header = crate::control::base64url(br#"{"alg":"none","typ":"JWT"}"#);
            let payload = crate::control::base64url(claims.to_string().as_bytes());
            Some(format!("{header}.{payload}."))
        }
        crate::Fault::ExpiredToken => {
            claims["exp"] = (OffsetDateTime::now_utc().unix_timestamp() - 3600).into();
            sign(&claims)
        }
        crate::Fault::FarFutureExpiry => {
            // 1 January 99999.
            claims["exp"] = 3_093_527_980_800_i64.into();
            sign(&claims)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refresh_token(issuer: &Issuer) -> Claims {
        let (_, claims) = issuer.issue(
            Dialect::Traderevolution,
            "bo.trader",
            &[],
            Kind::Refresh,
            Duration::from_secs(60),
        );
        claims
    }

    #[test]
    fn a_rotated_refresh_token_comes_back_once_more_within_the_reuse_grace() {
        let issuer = Issuer::with_reuse_grace(Duration::from_secs(60));
        let old = refresh_token(&issuer);
        assert_eq!(issuer.rotate(&old), Ok(()));
        assert_eq!(issuer.rotate(&old), Ok(()), "within the grace");
        assert_eq!(issuer.grace_reuses(), 1);
    }

    #[test]
    fn without_a_grace_a_reused_refresh_token_revokes_every_refresh_token_of_its_user() {
        let issuer = Issuer::default();
        let old = refresh_token(&issuer);
        let other = refresh_token(&issuer);
        assert_eq!(issuer.rotate(&old), Ok(()));
        assert_eq!(issuer.rotate(&old), Err(Refusal::Reused));
        assert_eq!(issuer.rotate(&other), Err(Refusal::Revoked));
        assert_eq!(issuer.grace_reuses(), 0);
    }
}
