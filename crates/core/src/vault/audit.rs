//! The audit trail: what happened to which account, when, and how it went. It holds
//! event kinds, account ids and error codes only, never a token or password, and
//! stays bounded: past its size limit the older half is dropped.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::lock::FileLock;
use super::write_atomically;
use crate::error::Error;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum AuditKind {
    /// A first or forced login.
    Login,
    /// A refresh.
    Refresh,
    /// A login instead of a refresh.
    Relogin,
    /// A one-time token was verified.
    OttVerify,
    /// The access token was checked with the profile's validate call.
    Validate,
    /// A token was copied or handed out.
    Copy,
    /// A private token was created.
    PrivateTokenCreate,
    /// A private token was revoked.
    PrivateTokenRevoke,
    /// An account was added, changed or removed.
    AccountChange,
}

/// One event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AuditEvent {
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "typescript", ts(type = "string"))]
    pub at: OffsetDateTime,
    /// The account id.
    pub account: String,
    /// What.
    pub kind: AuditKind,
    /// `ok`, or the stable error code of the failure.
    pub outcome: String,
}

/// The audit file.
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
    max_bytes: u64,
}

impl AuditLog {
    /// The trail at `path`, trimmed when it grows past `max_bytes`.
    pub fn new(path: PathBuf, max_bytes: u64) -> Self {
        Self { path, max_bytes }
    }

    /// Appends an event.
    pub fn record(&self, event: &AuditEvent) -> Result<(), Error> {
        let _lock = FileLock::exclusive(&self.path.with_extension("lock"))?;
        let storage = |e: std::io::Error| Error::Storage {
            action: "write",
            path: self.path.display().to_string(),
            problem: e.to_string(),
        };
        let mut line = serde_json::to_vec(event).unwrap_or_default();
        line.push(b'\n');
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(storage)?;
        super::restrict_to_owner(&file).map_err(storage)?;
        file.write_all(&line).map_err(storage)?;
        if file.metadata().map_err(storage)?.len() > self.max_bytes {
            self.trim()?;
        }
        Ok(())
    }

    /// The most recent events, newest last.
    pub fn recent(&self, limit: usize) -> Result<Vec<AuditEvent>, Error> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(Error::Storage {
                    action: "read",
                    path: self.path.display().to_string(),
                    problem: e.to_string(),
                });
            }
        };
        let events: Vec<AuditEvent> = text
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect();
        Ok(events[events.len().saturating_sub(limit)..].to_vec())
    }

    /// Keeps the newer half of the lines.
    fn trim(&self) -> Result<(), Error> {
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let kept = lines[lines.len() / 2..].join("\n") + "\n";
        write_atomically(&self.path, kept.as_bytes())
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: usize) -> AuditEvent {
        AuditEvent {
            at: time::macros::datetime!(2026-01-01 12:00 UTC),
            account: format!("acct-{n}"),
            kind: AuditKind::Refresh,
            outcome: "ok".into(),
        }
    }

    fn scratch() -> PathBuf {
        use std::hash::BuildHasher;
        let n = std::collections::hash_map::RandomState::new().hash_one(0);
        let dir =
            std::env::temp_dir().join(format!("tokenvault-audit-{}-{n:x}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("audit.jsonl")
    }

    #[test]
    fn events_are_read_back_newest_last() {
        let log = AuditLog::new(scratch(), 1 << 20);
        for n in 0..3 {
            log.record(&event(n)).unwrap();
        }
        let recent = log.recent(2).unwrap();
        assert_eq!(recent, vec![event(1), event(2)]);
    }

    #[test]
    fn the_trail_stays_under_its_size_limit_and_keeps_the_newest_events() {
        let log = AuditLog::new(scratch(), 2_000);
        for n in 0..200 {
            log.record(&event(n)).unwrap();
        }
        let size = std::fs::metadata(log.path()).unwrap().len();
        assert!(size <= 2_000, "{size} bytes");
        assert_eq!(
            log.recent(1).unwrap(),
            vec![event(199)],
            "the newest event is kept"
        );
    }
}
