//! Per-account overrides of single profile fields (`login.path=/v2/login`), so a
//! preset fits an API that differs in one detail without copying the whole file.

use super::Profile;
use crate::error::Error;

impl Profile {
    /// This profile with `key=value` overrides applied, then validated again.
    ///
    /// `key` is a dotted path into the profile (`access_token.path`); `value` is read as a
    /// TOML value when it parses as one (`true`, `30`, `{ from = "jwt" }`), else as a string.
    pub fn with_overrides(&self, overrides: &[(String, String)]) -> Result<Profile, Error> {
        if overrides.is_empty() {
            return Ok(self.clone());
        }
        let origin = format!("preset:{} with overrides", self.id);
        let invalid = |field: &str, problem: String| Error::InvalidProfile {
            origin: origin.clone(),
            field: field.to_owned(),
            problem,
        };
        let mut document = toml::Value::try_from(self)
            .map_err(|e| invalid("(document)", format!("cannot be rewritten: {e}")))?;
        for (key, raw) in overrides {
            let value = parse_value(raw);
            set(&mut document, key, value).map_err(|problem| invalid(key, problem))?;
        }
        let text = toml::to_string(&document)
            .map_err(|e| invalid("(document)", format!("cannot be rewritten: {e}")))?;
        Profile::from_toml(&origin, &text)
    }
}

fn parse_value(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_owned()))
}

fn set(document: &mut toml::Value, key: &str, value: toml::Value) -> Result<(), String> {
    let mut parts = key.split('.').peekable();
    let mut current = document;
    while let Some(part) = parts.next() {
        if part.is_empty() {
            return Err("has an empty segment".into());
        }
        let table = current
            .as_table_mut()
            .ok_or_else(|| format!("`{part}` is inside a value that is not a table"))?;
        if parts.peek().is_none() {
            table.insert(part.to_owned(), value);
            return Ok(());
        }
        current = table
            .entry(part.to_owned())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    }
    Err("is empty".into())
}

#[cfg(test)]
mod tests {
    use crate::profile::{TokenLocation, preset};

    fn prive() -> crate::profile::Profile {
        preset("prive").unwrap().profile.clone()
    }

    #[test]
    fn an_override_changes_one_field_and_keeps_the_rest() {
        let changed = prive()
            .with_overrides(&[("login.path".into(), "/v2/restful/login/".into())])
            .unwrap();
        assert_eq!(changed.login.path, "/v2/restful/login/");
        assert_eq!(changed.login.identity_field, "username");
        assert_eq!(changed.access_token, prive().access_token);
    }

    #[test]
    fn refresh_headers_and_the_login_error_message_path_can_be_set_per_account() {
        let changed = preset("oauth2-password")
            .unwrap()
            .profile
            .with_overrides(&[
                ("refresh.headers.X-Tenant".into(), "acme".into()),
                ("login.error_message".into(), "errors.0.message".into()),
            ])
            .unwrap();
        let refresh = changed.refresh.unwrap();
        assert_eq!(
            refresh.headers.get("X-Tenant").map(String::as_str),
            Some("acme")
        );
        assert_eq!(
            changed.login.error_message.as_deref(),
            Some("errors.0.message")
        );
    }

    #[test]
    fn a_token_field_can_be_renamed() {
        let changed = prive()
            .with_overrides(&[("access_token.path".into(), "data.jwt".into())])
            .unwrap();
        assert_eq!(
            changed.access_token.location,
            TokenLocation::Json {
                path: Some("data.jwt".into())
            }
        );
    }

    #[test]
    fn an_override_that_breaks_the_profile_is_refused_with_the_field_named() {
        let error = prive()
            .with_overrides(&[("login.path".into(), "no-leading-slash".into())])
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid profile preset:prive with overrides: login.path: `no-leading-slash` must start with `/` (or be a whole https:// URL)"
        );
    }

    #[test]
    fn an_unknown_field_is_refused() {
        let error = prive()
            .with_overrides(&[("login.pasword_field".into(), "pw".into())])
            .unwrap_err();
        assert!(
            error.to_string().contains("unknown field `pasword_field`"),
            "{error}"
        );
    }
}
