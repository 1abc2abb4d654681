//! A token as environment variables: what `exec` puts in a command's environment, and
//! what `token --format env|dotenv` and `status --format env` print.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokenvault_core::Secret;
use tokenvault_core::auth::Token;

/// The names one account's token is handed over under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The bare token (`TOKENVAULT_TOKEN`); its expiry goes in `<this>_EXPIRES_AT` (RFC
    /// 3339) and `<this>_EXPIRES_AT_UNIX` (seconds).
    pub token: String,
    /// `Bearer <token>` (`TOKENVAULT_AUTHORIZATION`).
    pub authorization: String,
}

impl Default for Names {
    fn default() -> Self {
        Self::with_prefix("TOKENVAULT")
    }
}

impl Names {
    /// `PREFIX_TOKEN` and `PREFIX_AUTHORIZATION`.
    pub fn with_prefix(prefix: &str) -> Self {
        Self {
            token: format!("{prefix}_TOKEN"),
            authorization: format!("{prefix}_AUTHORIZATION"),
        }
    }

    /// The variables of `token`: names and values, the token's own first.
    pub fn of(&self, token: &Token) -> Vec<(String, Secret)> {
        let mut variables = vec![
            (self.token.clone(), token.value.clone()),
            (
                self.authorization.clone(),
                Secret::new(format!("Bearer {}", token.value.expose())),
            ),
        ];
        variables.extend(expiry(&self.token, token.expires_at));
        variables
    }
}

/// `<var>_EXPIRES_AT` (RFC 3339) and `<var>_EXPIRES_AT_UNIX` of an expiry, when known.
pub fn expiry(var: &str, at: Option<OffsetDateTime>) -> Vec<(String, Secret)> {
    let Some(at) = at else {
        return Vec::new();
    };
    vec![
        (
            format!("{var}_EXPIRES_AT"),
            Secret::new(at.format(&Rfc3339).unwrap_or_default()),
        ),
        (
            format!("{var}_EXPIRES_AT_UNIX"),
            Secret::new(at.unix_timestamp().to_string()),
        ),
    ]
}

/// A name as an environment variable's prefix: `prive-uat` is `PRIVE_UAT`.
pub fn prefix_of(name: &str) -> String {
    let mut prefix: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if prefix.starts_with(|c: char| c.is_ascii_digit()) || prefix.is_empty() {
        prefix.insert(0, '_');
    }
    prefix
}

/// Whether `name` can be an environment variable's name (letters, digits, `_`, not
/// starting with a digit).
pub fn is_variable_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// How variables are written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `export NAME='value'`, for a POSIX shell's `eval`.
    Shell,
    /// `NAME=value`, as `.env` files (and `docker --env-file`, which takes values as they
    /// are) hold them.
    Dotenv,
}

/// The lines of `variables` in `syntax`.
pub fn lines(variables: &[(String, Secret)], syntax: Syntax) -> Secret {
    let mut text = String::new();
    for (name, value) in variables {
        match syntax {
            Syntax::Shell => {
                let quoted = value.expose().replace('\'', r"'\''");
                text.push_str(&format!("export {name}='{quoted}'\n"));
            }
            Syntax::Dotenv => {
                let flat = value.expose().replace(['\n', '\r'], " ");
                text.push_str(&format!("{name}={flat}\n"));
            }
        }
    }
    Secret::new(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn token() -> Token {
        Token {
            value: Secret::new("eyJ.a.b"),
            expires_at: Some(datetime!(2026-12-07 08:00 UTC)),
            obtained_at: datetime!(2026-12-07 07:00 UTC),
        }
    }

    #[test]
    fn a_token_becomes_its_value_a_bearer_header_and_its_expiry_both_ways() {
        let shell = lines(&Names::default().of(&token()), Syntax::Shell);
        assert_eq!(
            shell.expose(),
            "export TOKENVAULT_TOKEN='eyJ.a.b'\n\
             export TOKENVAULT_AUTHORIZATION='Bearer eyJ.a.b'\n\
             export TOKENVAULT_TOKEN_EXPIRES_AT='2026-12-07T08:00:00Z'\n\
             export TOKENVAULT_TOKEN_EXPIRES_AT_UNIX='1796630400'\n"
        );
        let dotenv = lines(&Names::with_prefix("PRIVE").of(&token()), Syntax::Dotenv);
        assert!(
            dotenv
                .expose()
                .starts_with("PRIVE_TOKEN=eyJ.a.b\nPRIVE_AUTHORIZATION=Bearer eyJ.a.b\n")
        );
    }

    #[test]
    fn a_quote_in_a_value_cannot_end_the_shells_string() {
        let text = lines(&[("X".into(), Secret::new("it's"))], Syntax::Shell);
        assert_eq!(text.expose(), "export X='it'\\''s'\n");
    }

    #[test]
    fn account_names_become_variable_prefixes() {
        assert_eq!(prefix_of("prive-uat"), "PRIVE_UAT");
        assert_eq!(prefix_of("2fa.demo"), "_2FA_DEMO");
        assert!(
            is_variable_name("A_TOKEN") && !is_variable_name("A-TOKEN") && !is_variable_name("1A")
        );
    }
}
