//! A new account as a user describes it (a form in the app, flags on the command line),
//! checked field by field before anything is stored.

use super::catalog::{AccountRecord, SecondFactor, StoredProfile, TokenTimes};
use crate::auth::{Discovery, Target, client_id};
use crate::error::{Error, Result};
use crate::profile::{Profile, preset};

/// Which profile an account speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileChoice {
    /// A built-in preset, by id.
    Preset(String),
    /// A profile file's TOML, and where it came from (for error messages).
    Custom {
        /// The file name, or another word for where the text came from.
        origin: String,
        /// The TOML text.
        source: String,
    },
}

/// Everything needed to add an account, apart from its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    /// Display name, unique in the vault.
    pub name: String,
    /// Environment label: `UAT`, `Production`, ...
    pub environment: String,
    /// The profile.
    pub profile: ProfileChoice,
    /// The API's base URL.
    pub base_url: String,
    /// The login identity (left empty for the client-credentials flow, whose identity is
    /// the client id).
    pub identity: String,
    /// The OAuth client id, for profiles that speak for a client.
    pub client_id: Option<String>,
    /// The second factor its logins answer, for profiles with `login.otp_field`.
    pub second_factor: Option<SecondFactor>,
    /// Profile overrides, as `key=value` pairs.
    pub overrides: Vec<(String, String)>,
    /// Whether plain http off loopback is allowed.
    pub allow_plain_http: bool,
    /// An extra CA certificate (PEM text) to trust.
    pub ca_cert_pem: Option<String>,
}

impl NewAccount {
    /// The id the account gets: its name in lower case, with dashes between words.
    pub fn id(&self) -> String {
        account_id(&self.name)
    }

    /// The profile, read and checked, with the overrides applied.
    pub fn profile(&self) -> Result<Profile> {
        let profile = match &self.profile {
            ProfileChoice::Preset(id) => preset(id)
                .ok_or_else(|| Error::InvalidProfile {
                    origin: format!("preset:{id}"),
                    field: "id".into(),
                    problem: "there is no such preset".into(),
                })?
                .profile
                .clone(),
            ProfileChoice::Custom { origin, source } => Profile::from_toml(origin, source)?,
        };
        profile
            .with_overrides(&self.overrides)?
            .with_client_id(self.client_id.as_deref())
    }

    /// This account pointed at the server `discovery` describes: the discovered endpoints
    /// become overrides (the user's own for the same keys win), and the issuer the base
    /// URL when none was given.
    pub fn with_discovery(mut self, discovery: &Discovery) -> Result<Self> {
        let mut overrides = discovery.overrides_for(&self.profile()?)?;
        overrides.retain(|(key, _)| !self.overrides.iter().any(|(mine, _)| mine == key));
        overrides.append(&mut self.overrides);
        self.overrides = overrides;
        if self.base_url.trim().is_empty() {
            self.base_url = discovery.issuer.clone();
        }
        Ok(self)
    }

    /// Where the account logs in, once every field is checked.
    pub fn target(&self) -> Result<Target> {
        let profile = self.profile()?;
        self.check_fields(&profile)?;
        Target::new(profile, &self.base_url, self.allow_plain_http)
    }

    /// The identity the account logs in and is shown with: the one given, or for the
    /// client-credentials flow the client id.
    pub fn identity(&self, profile: &Profile) -> String {
        match (profile.needs_password(), client_id(profile)) {
            (false, Ok(Some(id))) if self.identity.trim().is_empty() => id.to_owned(),
            _ => self.identity.trim().to_owned(),
        }
    }

    /// The catalog record of the account, and the custom profile to save with it.
    pub fn record(&self) -> Result<(AccountRecord, Option<StoredProfile>)> {
        let profile = self.profile()?;
        let stored = match &self.profile {
            ProfileChoice::Preset(_) => None,
            ProfileChoice::Custom { source, .. } => Some(StoredProfile {
                id: profile.id.clone(),
                source: source.clone(),
            }),
        };
        let record = AccountRecord {
            id: self.id(),
            name: self.name.trim().to_owned(),
            environment: self.environment.trim().to_owned(),
            profile: profile.id.clone(),
            base_url: self.base_url.trim().to_owned(),
            identity: self.identity(&profile),
            client_id: self
                .client_id
                .as_deref()
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_owned),
            second_factor: self.second_factor,
            overrides: self.overrides.clone(),
            allow_plain_http: self.allow_plain_http,
            ca_cert_pem: self.ca_cert_pem.clone(),
            tokens: TokenTimes::default(),
            team: None,
        };
        Ok((record, stored))
    }

    fn check_fields(&self, profile: &Profile) -> Result<()> {
        let empty = |field: &'static str, what: &str| Error::InvalidAccount {
            field,
            problem: format!("give {what}"),
        };
        if self.name.trim().is_empty() {
            return Err(empty("name", "the account a name"));
        }
        if self.id().is_empty() {
            return Err(Error::InvalidAccount {
                field: "name",
                problem: "the name needs at least one letter or digit".into(),
            });
        }
        client_id(profile)?;
        if self.second_factor.is_some() && profile.login.otp_field.is_none() {
            return Err(Error::InvalidAccount {
                field: "second_factor",
                problem: format!(
                    "the {} profile does not say where a one-time code goes: set login.otp_field",
                    profile.id
                ),
            });
        }
        if self.identity(profile).is_empty() {
            return Err(empty(
                "identity",
                "the login identity (user name or e-mail)",
            ));
        }
        if self.base_url.trim().is_empty() {
            return Err(empty("base_url", "the API's base URL"));
        }
        Ok(())
    }
}

/// `Privé UAT` → `privé-uat`: letters and digits in lower case, anything else one dash.
pub fn account_id(name: &str) -> String {
    let mut id = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            id.extend(c.to_lowercase());
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finvera() -> NewAccount {
        NewAccount {
            name: "Finvera UAT".into(),
            environment: "UAT".into(),
            profile: ProfileChoice::Preset("finvera".into()),
            base_url: "https://uat.finvera.example".into(),
            identity: "ana@example.com".into(),
            client_id: None,
            second_factor: None,
            overrides: Vec::new(),
            allow_plain_http: false,
            ca_cert_pem: None,
        }
    }

    #[test]
    fn account_names_become_ids() {
        assert_eq!(account_id("Privé UAT"), "privé-uat");
        assert_eq!(account_id("  te / prod  "), "te-prod");
    }

    #[test]
    fn a_complete_account_has_a_target_and_a_record() {
        let account = finvera();
        assert!(account.target().is_ok());
        let (record, profile) = account.record().unwrap();
        assert_eq!(record.id, "finvera-uat");
        assert_eq!(record.profile, "finvera");
        assert!(profile.is_none());
    }

    #[test]
    fn an_empty_field_is_named_in_the_error() {
        let mut account = finvera();
        account.identity = "  ".into();
        match account.target() {
            Err(Error::InvalidAccount { field, .. }) => assert_eq!(field, "identity"),
            other => panic!("expected an invalid identity, got {other:?}"),
        }
        let mut account = finvera();
        account.name = "//".into();
        match account.target() {
            Err(Error::InvalidAccount { field, .. }) => assert_eq!(field, "name"),
            other => panic!("expected an invalid name, got {other:?}"),
        }
    }

    #[test]
    fn a_client_credentials_account_is_known_by_its_client_id() {
        let mut account = finvera();
        account.profile = ProfileChoice::Preset("oauth2-client-credentials".into());
        account.identity = String::new();
        match account.target() {
            Err(Error::InvalidAccount { field, .. }) => assert_eq!(field, "client_id"),
            other => panic!("expected the client id to be asked for, got {other:?}"),
        }
        account.client_id = Some(" reporting-service ".into());
        assert!(account.target().is_ok());
        let (record, _) = account.record().unwrap();
        assert_eq!(record.identity, "reporting-service");
        assert_eq!(record.client_id.as_deref(), Some("reporting-service"));
    }

    #[test]
    fn a_client_id_for_a_profile_without_a_client_is_refused_by_name() {
        let mut account = finvera();
        account.client_id = Some("web".into());
        match account.target() {
            Err(Error::InvalidAccount { field, .. }) => assert_eq!(field, "client_id"),
            other => panic!("expected the client id to be refused, got {other:?}"),
        }
    }

    #[test]
    fn an_unknown_preset_is_an_invalid_profile() {
        let mut account = finvera();
        account.profile = ProfileChoice::Preset("nope".into());
        assert_eq!(account.target().unwrap_err().code(), "invalid_profile");
    }

    #[test]
    fn a_custom_profile_is_saved_with_the_account() {
        let mut account = finvera();
        let source = crate::profile::preset("prive").unwrap().source.to_owned();
        account.profile = ProfileChoice::Custom {
            origin: "mine.toml".into(),
            source: source.replace("id = \"prive\"", "id = \"mine\""),
        };
        let (record, profile) = account.record().unwrap();
        assert_eq!(record.profile, "mine");
        assert_eq!(profile.unwrap().id, "mine");
    }
}
