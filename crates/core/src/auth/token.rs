//! Tokens as the engine holds them: the secret value and the instants that matter.

use time::OffsetDateTime;

use crate::secret::Secret;

/// One token and what is known of its life.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The token itself.
    pub value: Secret,
    /// When it stops being valid, when known.
    pub expires_at: Option<OffsetDateTime>,
    /// When we received it.
    pub obtained_at: OffsetDateTime,
}

impl Token {
    /// Seconds of validity left at `now` (negative once expired), when the expiry is known.
    pub fn seconds_left(&self, now: OffsetDateTime) -> Option<i64> {
        self.expires_at.map(|at| (at - now).whole_seconds())
    }
}

/// What a login or refresh gives: an access token and, for APIs that have one, a refresh token.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenSet {
    /// The token sent as `Authorization: Bearer`.
    pub access: Token,
    /// The token that renews the access token; `None` when the API has none, or (after a
    /// refresh) when the answer did not carry a new one and the old one stays in use.
    pub refresh: Option<Token>,
}
