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
    /// Renewals move earlier by a random part of this (at most a quarter of the lead), so
    /// accounts whose tokens expire together do not all renew in the same instant.
    pub jitter: Duration,
}

impl Default for FreshnessPolicy {
    fn default() -> Self {
        Self {
            min_valid: Duration::seconds(60),
            refresh_lead: Duration::minutes(5),
            lead_fraction: 0.2,
            jitter: Duration::seconds(10),
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
    /// Whether `token` may be handed out at `now`: valid for at least `min_valid`, or, for
    /// a token whose whole life is no longer than `min_valid` (so no renewal could give
    /// that window), until the keeper would renew it ([`Self::renew_at`]). A token of
    /// unknown expiry is served: only the server can tell.
    pub fn can_serve(&self, token: &Token, now: OffsetDateTime, min_valid: Duration) -> bool {
        let Some(expires_at) = token.expires_at else {
            return true;
        };
        let lifetime = expires_at - token.obtained_at;
        let window = if lifetime <= min_valid {
            self.renew_at(token).map_or(min_valid, |at| expires_at - at)
        } else {
            min_valid
        };
        expires_at - now >= window && expires_at > now
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

    /// `renew_at` moved earlier by `sample` (0..1) of the jitter, bounded by a quarter of
    /// the lead so a short token is never renewed absurdly early.
    pub fn jittered(&self, token: &Token, sample: f64) -> Option<OffsetDateTime> {
        let at = self.renew_at(token)?;
        let lead = token.expires_at? - at;
        let spread = self.jitter.min(lead / 4);
        Some(at - spread * sample.clamp(0.0, 1.0))
    }

    /// How long to wait before retrying after the `failures`-th failed renewal in a row
    /// (1, 2, ...): doubling from 2 s up to a minute, and never sooner than the server's
    /// `Retry-After`.
    pub fn retry_delay(&self, failures: u32, retry_after_secs: Option<u64>) -> Duration {
        let doubling = 2_i64.saturating_mul(1_i64 << failures.saturating_sub(1).min(10));
        let backoff = Duration::seconds(doubling.min(60));
        match retry_after_secs {
            Some(s) => backoff.max(Duration::seconds(
                i64::try_from(s.min(3600)).unwrap_or(3600),
            )),
            None => backoff,
        }
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
    fn jitter_moves_renewal_earlier_by_at_most_a_quarter_of_the_lead() {
        let policy = FreshnessPolicy::default();
        let long = token(Duration::hours(1));
        assert_eq!(policy.jittered(&long, 0.0), policy.renew_at(&long));
        assert_eq!(
            policy.jittered(&long, 1.0),
            Some(datetime!(2026-01-01 12:54:50 UTC))
        );
        let short = token(Duration::seconds(20));
        assert_eq!(
            policy.jittered(&short, 1.0),
            Some(datetime!(2026-01-01 12:00:15 UTC)),
            "a 4 s lead allows 1 s of jitter"
        );
    }

    #[test]
    fn retries_back_off_from_two_seconds_to_a_minute_and_honour_retry_after() {
        let policy = FreshnessPolicy::default();
        let delays: Vec<i64> = (1..=7)
            .map(|n| policy.retry_delay(n, None).whole_seconds())
            .collect();
        assert_eq!(delays, [2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(
            policy.retry_delay(1, Some(30)).whole_seconds(),
            30,
            "the server asked for 30 s"
        );
        assert_eq!(
            policy.retry_delay(6, Some(5)).whole_seconds(),
            60,
            "never sooner than backoff"
        );
        assert_eq!(
            policy.retry_delay(1, Some(u64::MAX)).whole_seconds(),
            3600,
            "capped at an hour"
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
    fn a_token_shorter_lived_than_the_window_asked_is_served_until_the_keeper_would_renew_it() {
        let policy = FreshnessPolicy::default();
        let short = token(Duration::seconds(20));
        let asked = Duration::seconds(60);
        assert!(
            policy.can_serve(&short, T0 + Duration::seconds(1), asked),
            "a 20 s token cannot last 60 s: it is served while a fifth of its life is left"
        );
        assert!(policy.can_serve(&short, T0 + Duration::seconds(16), asked));
        assert!(!policy.can_serve(&short, T0 + Duration::seconds(17), asked));
        assert!(
            !policy.can_serve(&short, T0 + Duration::seconds(20), Duration::ZERO),
            "an expired token is never served"
        );
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
