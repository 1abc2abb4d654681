//! Time-based one-time codes (TOTP, RFC 6238 over RFC 4226's HOTP): the second factor a
//! vault can answer by itself, from a secret kept like a password, so background logins
//! keep working on APIs that ask for a code at every login.

use hmac::{Hmac, Mac};
use url::Url;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// The hash a TOTP secret is used with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// HMAC-SHA1, what authenticator apps use unless told otherwise.
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl Algorithm {
    fn name(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        }
    }
}

/// A TOTP generator: its key and parameters. `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct Totp {
    key: Zeroizing<Vec<u8>>,
    algorithm: Algorithm,
    digits: u32,
    period: u64,
}

impl std::fmt::Debug for Totp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Totp")
            .field("key", &"<redacted>")
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("period", &self.period)
            .finish()
    }
}

fn invalid(problem: impl Into<String>) -> Error {
    Error::InvalidAccount {
        field: "totp_secret",
        problem: problem.into(),
    }
}

impl Totp {
    /// Reads what an authenticator's set-up gives: an `otpauth://totp/...` URI (the QR
    /// code's text, with `secret`, and optionally `algorithm`, `digits`, `period`) or the
    /// base32 secret alone (SHA1, 6 digits, 30 s). Errors never repeat the text.
    pub fn parse(text: &Secret) -> Result<Self> {
        let text = text.expose().trim();
        if text.to_ascii_lowercase().starts_with("otpauth://") {
            return Self::from_uri(text);
        }
        Self::new(decode_base32(text)?, Algorithm::Sha1, 6, 30)
    }

    fn from_uri(text: &str) -> Result<Self> {
        let uri = Url::parse(text).map_err(|_| invalid("the otpauth URI cannot be read"))?;
        if uri.host_str() != Some("totp") {
            return Err(invalid(
                "only time-based codes (otpauth://totp/...) can be generated; counter-based \
                 (hotp) ones cannot be kept in step by a vault",
            ));
        }
        let (mut key, mut algorithm, mut digits, mut period) = (None, Algorithm::Sha1, 6, 30);
        for (name, value) in uri.query_pairs() {
            match name.to_ascii_lowercase().as_str() {
                "secret" => key = Some(decode_base32(&value)?),
                "algorithm" => {
                    algorithm = match value.to_ascii_uppercase().as_str() {
                        "SHA1" => Algorithm::Sha1,
                        "SHA256" => Algorithm::Sha256,
                        "SHA512" => Algorithm::Sha512,
                        other => {
                            return Err(invalid(format!(
                                "algorithm `{other}` is not SHA1, SHA256 or SHA512"
                            )));
                        }
                    }
                }
                "digits" => {
                    digits = value
                        .parse()
                        .map_err(|_| invalid(format!("digits `{value}` is not a number")))?;
                }
                "period" => {
                    period = value
                        .parse()
                        .map_err(|_| invalid(format!("period `{value}` is not a number")))?;
                }
                _ => {}
            }
        }
        let key = key.ok_or_else(|| invalid("the otpauth URI has no secret"))?;
        Self::new(key, algorithm, digits, period)
    }

    fn new(key: Vec<u8>, algorithm: Algorithm, digits: u32, period: u64) -> Result<Self> {
        if key.is_empty() {
            return Err(invalid("the secret is empty"));
        }
        if !(6..=8).contains(&digits) {
            return Err(invalid(format!("{digits} digits: codes have 6 to 8")));
        }
        if !(1..=300).contains(&period) {
            return Err(invalid(format!(
                "a period of {period} s: codes change every 1 to 300 seconds"
            )));
        }
        Ok(Self {
            key: Zeroizing::new(key),
            algorithm,
            digits,
            period,
        })
    }

    /// The time step a Unix instant falls in.
    pub fn step_at(&self, unix_seconds: i64) -> u64 {
        u64::try_from(unix_seconds).unwrap_or(0) / self.period
    }

    /// The seconds from `unix_seconds` until the next step begins.
    pub fn seconds_to_next_step(&self, unix_seconds: i64) -> u64 {
        let now = u64::try_from(unix_seconds).unwrap_or(0);
        self.period - now % self.period
    }

    /// The code of the step `unix_seconds` falls in.
    pub fn code_at(&self, unix_seconds: i64) -> Secret {
        self.code_of_step(self.step_at(unix_seconds))
    }

    fn code_of_step(&self, step: u64) -> Secret {
        let counter = step.to_be_bytes();
        macro_rules! mac {
            ($hash:ty) => {{
                let mut mac = Hmac::<$hash>::new_from_slice(&self.key)
                    .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
                mac.update(&counter);
                mac.finalize().into_bytes().to_vec()
            }};
        }
        let digest: Zeroizing<Vec<u8>> = Zeroizing::new(match self.algorithm {
            Algorithm::Sha1 => mac!(sha1::Sha1),
            Algorithm::Sha256 => mac!(sha2::Sha256),
            Algorithm::Sha512 => mac!(sha2::Sha512),
        });
        // RFC 4226 §5.3: dynamic truncation.
        let offset = usize::from(digest[digest.len() - 1] & 0x0f);
        let binary = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        let code = binary % 10u32.pow(self.digits);
        Secret::new(format!("{code:0width$}", width = self.digits as usize))
    }

    /// The form kept in the secret store: an `otpauth://totp/` URI with every parameter.
    pub fn to_secret(&self) -> Secret {
        Secret::new(format!(
            "otpauth://totp/tokenvault?secret={}&algorithm={}&digits={}&period={}",
            encode_base32(&self.key).as_str(),
            self.algorithm.name(),
            self.digits,
            self.period
        ))
    }
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32, as authenticators print it: any case, spaces and dashes between
/// groups, padding optional.
fn decode_base32(text: &str) -> Result<Vec<u8>> {
    let mut bits: u64 = 0;
    let mut held = 0u32;
    let mut out = Zeroizing::new(Vec::with_capacity(text.len() * 5 / 8));
    for c in text.chars() {
        if c.is_whitespace() || c == '-' || c == '=' {
            continue;
        }
        let value = ALPHABET
            .iter()
            .position(|&a| char::from(a) == c.to_ascii_uppercase())
            .ok_or_else(|| invalid("the secret is not base32 (letters A-Z and digits 2-7)"))?;
        bits = (bits << 5) | value as u64;
        held += 5;
        if held >= 8 {
            held -= 8;
            out.push((bits >> held) as u8);
            bits &= (1 << held) - 1;
        }
    }
    Ok(out.to_vec())
}

fn encode_base32(bytes: &[u8]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(bytes.len().div_ceil(5) * 8));
    let mut bits: u64 = 0;
    let mut held = 0u32;
    for &byte in bytes {
        bits = (bits << 8) | u64::from(byte);
        held += 8;
        while held >= 5 {
            held -= 5;
            out.push(char::from(ALPHABET[((bits >> held) & 31) as usize]));
        }
        bits &= (1 << held) - 1;
    }
    if held > 0 {
        out.push(char::from(ALPHABET[((bits << (5 - held)) & 31) as usize]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ascii_key(key: &str, algorithm: &str) -> Totp {
        let uri = format!(
            "otpauth://totp/x?secret={}&algorithm={algorithm}&digits=8",
            encode_base32(key.as_bytes()).as_str()
        );
        Totp::parse(&Secret::new(uri)).unwrap()
    }

    #[test]
    fn codes_match_the_test_vectors_of_rfc_6238() {
        let sha1 = ascii_key("12345678901234567890", "SHA1");
        let sha256 = ascii_key("12345678901234567890123456789012", "SHA256");
        let sha512 = ascii_key(
            "1234567890123456789012345678901234567890123456789012345678901234",
            "SHA512",
        );
        for (at, expected) in [
            (59, ["94287082", "46119246", "90693936"]),
            (1_111_111_109, ["07081804", "68084774", "25091201"]),
            (1_234_567_890, ["89005924", "91819424", "93441116"]),
            (20_000_000_000, ["65353130", "77737706", "47863826"]),
        ] {
            assert_eq!(sha1.code_at(at).expose(), expected[0], "SHA1 at {at}");
            assert_eq!(sha256.code_at(at).expose(), expected[1], "SHA256 at {at}");
            assert_eq!(sha512.code_at(at).expose(), expected[2], "SHA512 at {at}");
        }
    }

    #[test]
    fn a_bare_base32_secret_gives_six_digits_every_thirty_seconds() {
        let totp = Totp::parse(&Secret::new("gezd gnbv gy3t qojq gezd gnbv gy3t qojq")).unwrap();
        assert_eq!(totp.code_at(59).expose(), "287082");
        assert_eq!(totp.step_at(59), 1);
        assert_eq!(totp.seconds_to_next_step(59), 1);
        assert_eq!(totp.seconds_to_next_step(60), 30);
    }

    #[test]
    fn the_kept_form_reads_back_as_the_same_generator() {
        let totp = ascii_key("12345678901234567890123456789012", "SHA256");
        let again = Totp::parse(&totp.to_secret()).unwrap();
        assert_eq!(again, totp);
        assert_eq!(again.code_at(59).expose(), "46119246");
    }

    #[test]
    fn base32_round_trips_any_length() {
        for length in 0..40 {
            let bytes: Vec<u8> = (0..length).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(decode_base32(&encode_base32(&bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn bad_secrets_are_refused_by_name_without_repeating_them() {
        for (text, says) in [
            ("not base32!", "not base32"),
            ("otpauth://hotp/x?secret=GEZDGNBV&counter=1", "time-based"),
            ("otpauth://totp/x?issuer=Acme", "no secret"),
            ("otpauth://totp/x?secret=GEZDGNBV&digits=4", "6 to 8"),
            (
                "otpauth://totp/x?secret=GEZDGNBV&algorithm=MD5",
                "SHA1, SHA256 or SHA512",
            ),
            ("", "empty"),
        ] {
            let error = Totp::parse(&Secret::new(text)).unwrap_err();
            let message = error.to_string();
            assert!(message.contains(says), "{text}: {message}");
            assert!(message.starts_with("totp_secret: "), "{message}");
            assert!(text.len() < 12 || !message.contains(text), "{message}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_key() {
        let totp = ascii_key("12345678901234567890", "SHA1");
        assert!(!format!("{totp:?}").contains("GEZDGNBV"));
        assert!(format!("{totp:?}").contains("<redacted>"));
    }
}
