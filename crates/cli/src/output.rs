//! Printing: JSON for scripts (stable field names, RFC 3339 instants), text for people.

use std::io::Write;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An instant as RFC 3339, or null.
pub fn instant(at: Option<OffsetDateTime>) -> Value {
    at.and_then(|t| t.format(&Rfc3339).ok())
        .map_or(Value::Null, Value::String)
}

/// Whole seconds from `now` to `at`, or null.
pub fn seconds_left(at: Option<OffsetDateTime>, now: OffsetDateTime) -> Value {
    at.map_or(Value::Null, |t| Value::from((t - now).whole_seconds()))
}

/// `4m 05s`, `1h 02m`, `3d 4h`, `expired`.
pub fn left_in_words(at: Option<OffsetDateTime>, now: OffsetDateTime) -> String {
    let Some(at) = at else {
        return "unknown".to_owned();
    };
    let seconds = (at - now).whole_seconds();
    match seconds {
        ..=0 => "expired".to_owned(),
        1..=3599 => format!("{}m {:02}s", seconds / 60, seconds % 60),
        3600..=86_399 => format!("{}h {:02}m", seconds / 3600, (seconds % 3600) / 60),
        _ => format!("{}d {}h", seconds / 86_400, (seconds % 86_400) / 3600),
    }
}

/// Prints a JSON value on stdout.
pub fn json(value: &impl serde::Serialize) {
    line(&serde_json::to_string_pretty(value).unwrap_or_default());
}

/// What a command printed, when it ran for an agent's client instead of a terminal.
#[derive(Debug, Default)]
pub struct Printed {
    /// Its stdout.
    pub stdout: String,
    /// Its stderr.
    pub stderr: String,
}

tokio::task_local! {
    static CAPTURE: std::cell::RefCell<Printed>;
}

/// Runs `work` with everything it prints kept, not printed: the agent sends it back to
/// the client, which prints it, so output is the same with or without an agent.
pub async fn capture<T>(work: impl Future<Output = T>) -> (T, Printed) {
    CAPTURE
        .scope(std::cell::RefCell::new(Printed::default()), async {
            let outcome = work.await;
            (outcome, CAPTURE.with(std::cell::RefCell::take))
        })
        .await
}

/// Prints one line on stdout; a closed pipe (`| head`) is not an error.
pub fn line(text: &str) {
    emit(Stream::Stdout, text);
}

/// Prints one line on stderr: progress and confirmations for people.
pub fn note(text: &str) {
    emit(Stream::Stderr, text);
}

#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

/// Keeps the line when a command runs for an agent's client, prints it otherwise.
fn emit(stream: Stream, text: &str) {
    let kept = CAPTURE.try_with(|c| {
        let mut printed = c.borrow_mut();
        let buffer = match stream {
            Stream::Stdout => &mut printed.stdout,
            Stream::Stderr => &mut printed.stderr,
        };
        buffer.push_str(text);
        buffer.push('\n');
    });
    if kept.is_err() {
        let _ = match stream {
            Stream::Stdout => writeln!(std::io::stdout().lock(), "{text}"),
            Stream::Stderr => writeln!(std::io::stderr().lock(), "{text}"),
        };
    }
}

/// Writes what an agent's command printed, as it printed it.
pub fn replay(stdout: &str, stderr: &str) {
    if !stdout.is_empty() {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(stdout.as_bytes());
        let _ = out.flush();
    }
    if !stderr.is_empty() {
        let _ = std::io::stderr().lock().write_all(stderr.as_bytes());
    }
}

/// Prints rows as aligned columns.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let render = |cells: Vec<String>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<width$}", width = widths[i]))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    line(&render(header.iter().map(|h| (*h).to_owned()).collect()));
    for row in rows {
        line(&render(row.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn time_left_reads_naturally() {
        let now = datetime!(2026-01-01 12:00 UTC);
        assert_eq!(
            left_in_words(Some(now + time::Duration::seconds(245)), now),
            "4m 05s"
        );
        assert_eq!(
            left_in_words(Some(now + time::Duration::minutes(62)), now),
            "1h 02m"
        );
        assert_eq!(
            left_in_words(Some(now - time::Duration::seconds(1)), now),
            "expired"
        );
        assert_eq!(left_in_words(None, now), "unknown");
    }
}
