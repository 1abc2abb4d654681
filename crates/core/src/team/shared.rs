//! A shared account as the team's engine keeps it: one KV v2 entry per account under the
//! team's prefix, holding the account's definition and the secrets its login needs. Tokens
//! are never in it: each member logs in and renews for themselves.
//!
//! ```json
//! {
//!   "format": "tokenvault-shared-account/1",
//!   "account": { "name": "Back office UAT", "environment": "UAT", "profile": "traderevolution",
//!                "base_url": "https://uat.example.com", "identity": "bo.support", ... },
//!   "profile_source": null,
//!   "secrets": { "password": "...", "client_secret": null, "totp_secret": null },
//!   "shared_by": "userpass-alice"
//! }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::engine::EntryState;
use crate::auth::LoginSecrets;
use crate::secret::Secret;
use crate::vault::catalog::SecondFactor;

/// The format this build writes and reads.
pub const FORMAT: &str = "tokenvault-shared-account/1";

/// What an account is, apart from its secrets and tokens: what every member's vault needs to
/// log in to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// Display name.
    pub name: String,
    /// Environment label.
    pub environment: String,
    /// Preset or custom profile id.
    pub profile: String,
    /// Base URL.
    pub base_url: String,
    /// Login identity.
    pub identity: String,
    /// The OAuth client id, where the profile speaks for a client.
    #[serde(default)]
    pub client_id: Option<String>,
    /// The second factor its logins answer.
    #[serde(default)]
    pub second_factor: Option<SecondFactor>,
    /// Per-account profile overrides.
    #[serde(default)]
    pub overrides: Vec<(String, String)>,
    /// Plain http off loopback allowed.
    #[serde(default)]
    pub allow_plain_http: bool,
    /// An extra CA certificate (PEM) to trust.
    #[serde(default)]
    pub ca_cert_pem: Option<String>,
}

/// A shared account: its definition, a custom profile's TOML where it speaks one, the secrets
/// its login needs, and who shared it last.
#[derive(Debug, Clone)]
pub struct SharedAccount {
    /// The account.
    pub definition: Definition,
    /// The custom profile's TOML (a preset needs none).
    pub profile_source: Option<String>,
    /// Password, client secret, TOTP secret: whatever the account has.
    pub secrets: LoginSecrets,
    /// The engine's name for whoever wrote this version.
    pub shared_by: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    format: String,
    account: Definition,
    #[serde(default)]
    profile_source: Option<String>,
    #[serde(default)]
    secrets: WireSecrets,
    #[serde(default)]
    shared_by: String,
}

#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireSecrets {
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    totp_secret: Option<String>,
}

impl SharedAccount {
    /// The entry's data, as written to the engine: the one place a shared secret is exposed.
    pub fn to_data(&self) -> Value {
        let wire = Wire {
            format: FORMAT.to_owned(),
            account: self.definition.clone(),
            profile_source: self.profile_source.clone(),
            secrets: WireSecrets {
                password: self
                    .secrets
                    .password
                    .as_ref()
                    .map(|s| s.expose().to_owned()),
                client_secret: self
                    .secrets
                    .client_secret
                    .as_ref()
                    .map(|s| s.expose().to_owned()),
                totp_secret: self
                    .secrets
                    .totp_secret
                    .as_ref()
                    .map(|s| s.expose().to_owned()),
            },
            shared_by: self.shared_by.clone(),
        };
        serde_json::to_value(wire).unwrap_or(Value::Null)
    }

    /// A shared account from an entry's data, or what is wrong with it (an entry written by
    /// hand, or by a newer release): the entry is then reported and skipped, never guessed at.
    pub fn from_data(data: Value) -> Result<Self, String> {
        let format = data
            .get("format")
            .and_then(Value::as_str)
            .map(str::to_owned);
        match format.as_deref() {
            Some(FORMAT) => {}
            Some(other) => return Err(format!("its format is `{other}`, not `{FORMAT}`")),
            None => return Err(format!("it has no `format` (`{FORMAT}` expected)")),
        }
        let wire: Wire = serde_json::from_value(data).map_err(|e| {
            // serde's message names the field; it never quotes a value.
            format!("it is not a shared account: {e}")
        })?;
        let blank = |s: &str| s.trim().is_empty();
        if blank(&wire.account.name)
            || blank(&wire.account.base_url)
            || blank(&wire.account.profile)
        {
            return Err("its name, profile or base URL is empty".to_owned());
        }
        Ok(Self {
            definition: wire.account,
            profile_source: wire.profile_source,
            secrets: LoginSecrets {
                password: wire.secrets.password.map(Secret::new),
                client_secret: wire.secrets.client_secret.map(Secret::new),
                one_time_code: None,
                totp_secret: wire.secrets.totp_secret.map(Secret::new),
            },
            shared_by: wire.shared_by,
        })
    }
}

/// The key an account is shared under: its name in lower case, letters and digits kept,
/// everything else one `-` (`Back office UAT` → `back-office-uat`).
pub fn key_of(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else if !key.ends_with('-') && !key.is_empty() {
            key.push('-');
        }
    }
    while key.ends_with('-') {
        key.pop();
    }
    if key.is_empty() {
        "account".to_owned()
    } else {
        key
    }
}

/// What a sync has to do, from the engine's listing and the versions this vault holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Keys to read: new entries, and entries with a version this vault does not hold.
    pub fetch: Vec<String>,
    /// Keys this vault holds that the engine no longer has (removed or deleted there).
    pub remove: Vec<String>,
    /// Entries this vault holds at their current version.
    pub unchanged: usize,
}

/// Compares the engine's entries with the versions held here (by key).
pub fn plan(remote: &BTreeMap<String, EntryState>, held: &BTreeMap<String, u64>) -> Plan {
    let mut plan = Plan::default();
    for (key, state) in remote {
        if state.deleted {
            continue;
        }
        match held.get(key) {
            Some(version) if *version == state.version => plan.unchanged += 1,
            _ => plan.fetch.push(key.clone()),
        }
    }
    for key in held.keys() {
        if remote.get(key).is_none_or(|state| state.deleted) {
            plan.remove.push(key.clone());
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn shared() -> SharedAccount {
        SharedAccount {
            definition: Definition {
                name: "Back office UAT".to_owned(),
                environment: "UAT".to_owned(),
                profile: "traderevolution".to_owned(),
                base_url: "https://uat.example.com".to_owned(),
                identity: "bo.support".to_owned(),
                client_id: None,
                second_factor: Some(SecondFactor::Totp),
                overrides: vec![("login.path".to_owned(), "/v2/login".to_owned())],
                allow_plain_http: false,
                ca_cert_pem: None,
            },
            profile_source: None,
            secrets: LoginSecrets {
                totp_secret: Some(Secret::new("JBSWY3DPEHPK3PXP")),
                ..LoginSecrets::password(Secret::new("s3cret-pass"))
            },
            shared_by: "userpass-alice".to_owned(),
        }
    }

    #[test]
    fn a_shared_account_reads_back_as_it_was_written() {
        let back = SharedAccount::from_data(shared().to_data()).unwrap();
        assert_eq!(back.definition, shared().definition);
        assert_eq!(back.secrets.password.unwrap().expose(), "s3cret-pass");
        assert_eq!(
            back.secrets.totp_secret.unwrap().expose(),
            "JBSWY3DPEHPK3PXP"
        );
        assert!(back.secrets.client_secret.is_none());
        assert_eq!(back.shared_by, "userpass-alice");
    }

    #[test]
    fn an_entry_written_by_hand_is_refused_with_the_reason_and_no_secret() {
        let no_format = SharedAccount::from_data(json!({"password": "hunter22"})).unwrap_err();
        assert!(no_format.contains("no `format`"), "{no_format}");
        let mut broken = shared().to_data();
        broken["account"]["name"] = json!(42);
        let wrong_type = SharedAccount::from_data(broken).unwrap_err();
        assert!(!wrong_type.contains("s3cret-pass"), "{wrong_type}");
        let newer = SharedAccount::from_data(json!({"format": "tokenvault-shared-account/9"}));
        assert!(newer.unwrap_err().contains("/9"));
    }

    #[test]
    fn keys_are_the_names_in_lower_case_with_dashes() {
        assert_eq!(key_of("Back office UAT"), "back-office-uat");
        assert_eq!(key_of("  Prod / EU (main) "), "prod-eu-main");
        assert_eq!(key_of("***"), "account");
    }

    #[test]
    fn a_sync_reads_only_what_changed_and_removes_what_is_gone() {
        let remote = BTreeMap::from([
            (
                "same".to_owned(),
                EntryState {
                    version: 2,
                    deleted: false,
                },
            ),
            (
                "changed".to_owned(),
                EntryState {
                    version: 5,
                    deleted: false,
                },
            ),
            (
                "new".to_owned(),
                EntryState {
                    version: 1,
                    deleted: false,
                },
            ),
            (
                "soft-deleted".to_owned(),
                EntryState {
                    version: 3,
                    deleted: true,
                },
            ),
        ]);
        let held = BTreeMap::from([
            ("same".to_owned(), 2),
            ("changed".to_owned(), 4),
            ("soft-deleted".to_owned(), 3),
            ("gone".to_owned(), 1),
        ]);
        let plan = plan(&remote, &held);
        assert_eq!(plan.fetch, vec!["changed".to_owned(), "new".to_owned()]);
        assert_eq!(
            plan.remove,
            vec!["gone".to_owned(), "soft-deleted".to_owned()]
        );
        assert_eq!(plan.unchanged, 1);
    }

    #[test]
    fn nothing_changed_means_nothing_to_read() {
        let remote: BTreeMap<String, EntryState> = (0..1000)
            .map(|i| {
                (
                    format!("a{i}"),
                    EntryState {
                        version: 1,
                        deleted: false,
                    },
                )
            })
            .collect();
        let held: BTreeMap<String, u64> = remote.keys().map(|k| (k.clone(), 1)).collect();
        let plan = plan(&remote, &held);
        assert!(plan.fetch.is_empty() && plan.remove.is_empty());
        assert_eq!(plan.unchanged, 1000);
    }
}
