//! Secrets as a type: a password or a token that cannot be printed, logged or
//! serialized by accident, and whose memory is wiped when it is dropped.

use std::fmt;

use zeroize::Zeroizing;

/// A password or token value.
///
/// `Debug` prints `Secret(<redacted>)`; there is no `Display` and no `Serialize`,
/// so the only way to the value is the explicit [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a value; the caller's copy should not outlive this call.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The value itself, for the one place that must send or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty (an empty password is refused before any request).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

/// Replaces every occurrence of each secret in `text` with `<redacted>`.
///
/// Server error bodies are quoted in error messages; a server may echo what it was sent.
pub fn redact(text: &str, secrets: &[&Secret]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        let value = secret.expose();
        if value.len() >= 4 {
            out = out.replace(value, "<redacted>");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_value() {
        let secret = Secret::new("hunter2-password");
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        assert!(!format!("{:?}", Some(&secret)).contains("hunter2"));
    }

    #[test]
    fn expose_gives_back_the_exact_value() {
        assert_eq!(Secret::from("abc").expose(), "abc");
    }

    #[test]
    fn redact_removes_every_occurrence_of_each_secret() {
        let password = Secret::new("s3cret-pass");
        let token = Secret::new("eyJ.token.sig");
        let text = "bad password s3cret-pass for token eyJ.token.sig (s3cret-pass)";
        let cleaned = redact(text, &[&password, &token]);
        assert_eq!(
            cleaned,
            "bad password <redacted> for token <redacted> (<redacted>)"
        );
    }
}
