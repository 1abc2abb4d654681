//! Switchable faults: make the next calls of an endpoint fail in a chosen way.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::{Dialect, Endpoint};

/// A way for the server to misbehave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    /// HTTP 500 with a JSON error body.
    Http500,
    /// HTTP 503 with an HTML error page, as a proxy in front of an API would send.
    HtmlErrorPage,
    /// No answer until long after any sane client timeout.
    Timeout,
    /// HTTP 200 whose JSON body is cut off.
    MalformedJson,
    /// HTTP 200 in the usual shape but without the token (field or cookie).
    MissingTokenField,
    /// The TCP connection is reset before any answer.
    ResetConnection,
    /// The presented refresh token is treated as already used by a rotation.
    RefreshTokenReused,
    /// HTTP 429 with `Retry-After: 30`.
    TooManyRequests,
    /// HTTP 200 whose JSON body is nested 100,000 arrays deep.
    DeepJson,
    /// HTTP 200 whose body is not UTF-8.
    InvalidUtf8,
    /// HTTP 200 with a 100 MB body, produced as fast as it is read.
    HugeBody,
    /// HTTP 200 whose body arrives one byte a second.
    Dribble,
    /// HTTP 200 whose body stops partway and the connection closes.
    CloseMidBody,
    /// HTTP 307 to another origin (`localhost` instead of `127.0.0.1`), which counts what
    /// reaches it (`/_demo/elsewhere`).
    RedirectElsewhere,
    /// HTTP 200 whose access token is unsigned (`alg: none`), with no expiry field beside it.
    UnsignedToken,
    /// HTTP 200 whose access token expired an hour ago, with no expiry field beside it.
    ExpiredToken,
    /// HTTP 200 whose access token expires in the year 99999, with no expiry field beside it.
    FarFutureExpiry,
    /// HTTP 401, as an API answers a token it no longer accepts (revoked, or its keys
    /// changed) before the token's own expiry.
    Unauthorized,
}

impl Fault {
    /// Every fault, for documentation and tests.
    pub const ALL: [Fault; 18] = [
        Fault::Http500,
        Fault::HtmlErrorPage,
        Fault::Timeout,
        Fault::MalformedJson,
        Fault::MissingTokenField,
        Fault::ResetConnection,
        Fault::RefreshTokenReused,
        Fault::TooManyRequests,
        Fault::DeepJson,
        Fault::InvalidUtf8,
        Fault::HugeBody,
        Fault::Dribble,
        Fault::CloseMidBody,
        Fault::RedirectElsewhere,
        Fault::UnsignedToken,
        Fault::ExpiredToken,
        Fault::FarFutureExpiry,
        Fault::Unauthorized,
    ];
}

/// Which calls a fault applies to, and how many times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// The fault.
    pub fault: Fault,
    /// Only this dialect's calls (all dialects when absent).
    #[serde(default)]
    pub dialect: Option<Dialect>,
    /// Only this endpoint (all endpoints when absent).
    #[serde(default)]
    pub endpoint: Option<Endpoint>,
    /// How many calls it affects (every call until cleared when absent).
    #[serde(default)]
    pub times: Option<u32>,
}

/// The rules in force.
#[derive(Debug, Default)]
pub struct Faults(Mutex<Vec<FaultRule>>);

impl Faults {
    /// Adds a rule; the newest rule wins where several match.
    pub fn add(&self, rule: FaultRule) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(rule);
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// The fault for this call, if any, counting it against the rule's `times`.
    pub fn take(&self, dialect: Dialect, endpoint: Endpoint) -> Option<Fault> {
        let mut rules = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let index = rules.iter().rposition(|r| {
            r.dialect.is_none_or(|d| d == dialect) && r.endpoint.is_none_or(|e| e == endpoint)
        })?;
        let fault = rules[index].fault;
        if let Some(times) = rules[index].times.as_mut() {
            *times -= 1;
            if *times == 0 {
                rules.remove(index);
            }
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counted_fault_applies_that_many_times_then_stops() {
        let faults = Faults::default();
        faults.add(FaultRule {
            fault: Fault::Http500,
            dialect: Some(Dialect::Prive),
            endpoint: Some(Endpoint::Login),
            times: Some(2),
        });
        assert_eq!(faults.take(Dialect::Finvera, Endpoint::Login), None);
        assert_eq!(
            faults.take(Dialect::Prive, Endpoint::Login),
            Some(Fault::Http500)
        );
        assert_eq!(
            faults.take(Dialect::Prive, Endpoint::Login),
            Some(Fault::Http500)
        );
        assert_eq!(faults.take(Dialect::Prive, Endpoint::Login), None);
    }

    #[test]
    fn the_newest_matching_rule_wins() {
        let faults = Faults::default();
        faults.add(FaultRule {
            fault: Fault::Timeout,
            dialect: None,
            endpoint: None,
            times: None,
        });
        faults.add(FaultRule {
            fault: Fault::HtmlErrorPage,
            dialect: None,
            endpoint: Some(Endpoint::Refresh),
            times: None,
        });
        assert_eq!(
            faults.take(Dialect::Prive, Endpoint::Refresh),
            Some(Fault::HtmlErrorPage)
        );
        assert_eq!(
            faults.take(Dialect::Prive, Endpoint::Login),
            Some(Fault::Timeout)
        );
    }
}
