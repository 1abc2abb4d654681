//! The freshness policy: when a token may be served and when it should be renewed.
//! Every decision takes `now`; nothing here reads a clock.

use time::{Duration, OffsetDateTime};

use crate::auth::Token;

/// How fresh tokens are kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FreshnessPolicy {
    /// A token is served only if it stays valid at least this long.
    pub min_valid: Duration,
    /// Renew this long before expiry...
    pub refresh_lead: Duration,
    /// ...or, for short tokens, when this fraction of the lifetime is left, whichever is later.
    pub lead_fraction: f64,
}

impl Default for FreshnessPolicy {
    fn default() -> Self {
        Self {
            min_valid: Duration::seconds(60),
            refresh_lead: Duration::minutes(5),
            lead_fraction: 0.2,
        }
    }
}

/// How an access token is renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// With the refresh token.
    Refresh,
    /// By logging in again with the saved password.
    Relogin,
}

impl FreshnessPolicy {
    /// Whether `token` may be handed out at `now` (valid for at least `min_valid`).
    /// A token of unknown expiry is served: only the server can tell.
    pub fn can_serve(&self, token: &Token, now: OffsetDateTime, min_valid: Duration) -> bool {
        token.expires_at.is_none_or(|at| at - now >= min_valid)
    }

    /// When `token` should be renewed ahead of its expiry, if its expiry is known.
    pub fn renew_at(&self, token: &Token) -> Option<OffsetDateTime> {
        let expires_at = token.expires_at?;
        let lifetime = expires_at - token.obtained_at;
        let lead = if lifetime <= Duration::ZERO {
            Duration::ZERO
        } else {
            self.refresh_lead
                .min(lifetime * self.lead_fraction.clamp(0.0, 1.0))
        };
        Some(expires_at - lead)
    }

    /// Whether to refresh or log in again, given the refresh token we hold.
    pub fn renewal(&self, refresh: Option<&Token>, now: OffsetDateTime) -> Renewal {
        match refresh {
            Some(token)
                if token
                    .expires_at
                    .is_none_or(|at| at - now > Duration::seconds(5)) =>
            {
                Renewal::Refresh
            }
            _ => Renewal::Relogin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-01-01 12:00 UTC);

    fn token(lifetime: Duration) -> Token {
        Token {
            value: Secret::new("t"),
            expires_at: Some(T0 + lifetime),
            obtained_at: T0,
        }
    }

    #[test]
    fn an_hour_long_token_is_renewed_five_minutes_before_expiry() {
        let policy = FreshnessPolicy::default();
        assert_eq!(
            policy.renew_at(&token(Duration::hours(1))),
            Some(datetime!(2026-01-01 12:55 UTC))
        );
    }

    #[test]
    fn a_short_token_is_renewed_when_a_fifth_of_its_life_is_left() {
        let policy = FreshnessPolicy::default();
        assert_eq!(
            policy.renew_at(&token(Duration::seconds(120))),
            Some(datetime!(2026-01-01 12:01:36 UTC))
        );
    }

    #[test]
    fn a_token_is_served_only_with_the_minimum_window_left() {
        let policy = FreshnessPolicy::default();
        let t = token(Duration::seconds(120));
        assert!(policy.can_serve(&t, T0 + Duration::seconds(60), Duration::seconds(60)));
        assert!(!policy.can_serve(&t, T0 + Duration::seconds(61), Duration::seconds(60)));
    }

    #[test]
    fn renewal_logs_in_again_without_a_usable_refresh_token() {
        let policy = FreshnessPolicy::default();
        let refresh = token(Duration::days(30));
        assert_eq!(policy.renewal(Some(&refresh), T0), Renewal::Refresh);
        assert_eq!(policy.renewal(None, T0), Renewal::Relogin);
        let expired = token(Duration::seconds(3));
        assert_eq!(policy.renewal(Some(&expired), T0), Renewal::Relogin);
    }
}
