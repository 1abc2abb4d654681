//! Import and export of accounts and custom profiles, to share a team's setup. The
//! file holds no secret and no token instant: whoever imports it logs in with their
//! own password.

use serde::{Deserialize, Serialize};

use super::catalog::{AccountRecord, Catalog, CatalogFile, StoredProfile, TokenTimes};
use crate::error::Error;
use crate::profile::Profile;

const FORMAT: &str = "tokenvault-export-v1";

/// The exchange file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Export {
    /// Always `tokenvault-export-v1`.
    pub format: String,
    /// The accounts, without secrets, and with their token instants cleared.
    pub accounts: Vec<AccountRecord>,
    /// The custom profiles they use.
    #[serde(default)]
    pub profiles: Vec<StoredProfile>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Accounts added (they need a password before they can log in).
    pub added: Vec<String>,
    /// Accounts left out, with why.
    pub skipped: Vec<(String, String)>,
    /// Custom profiles added.
    pub profiles: Vec<String>,
}

/// The export of a catalog.
pub fn export(catalog: &Catalog) -> Export {
    Export {
        format: FORMAT.to_owned(),
        accounts: catalog
            .accounts
            .iter()
            .map(|a| AccountRecord {
                tokens: TokenTimes::default(),
                team: None,
                ..a.clone()
            })
            .collect(),
        profiles: catalog.profiles.clone(),
    }
}

/// Reads an exchange file's text, with a precise error for anything else.
pub fn parse(origin: &str, text: &str) -> Result<Export, Error> {
    let export: Export = serde_json::from_str(text).map_err(|e| Error::InvalidProfile {
        origin: origin.to_owned(),
        field: format!("line {} column {}", e.line(), e.column()),
        problem: format!("not a Tokenvault export: {e}"),
    })?;
    if export.format != FORMAT {
        return Err(Error::InvalidProfile {
            origin: origin.to_owned(),
            field: "format".into(),
            problem: format!("`{}` is not `{FORMAT}`", export.format),
        });
    }
    for profile in &export.profiles {
        Profile::from_toml(
            &format!("{origin}: profile {}", profile.id),
            &profile.source,
        )?;
    }
    Ok(export)
}

/// Adds the accounts and profiles of `export` that the catalog does not have yet;
/// accounts whose name or id is taken are skipped, never overwritten.
pub fn import(file: &CatalogFile, export: &Export) -> Result<ImportReport, Error> {
    file.update(|catalog| {
        let mut report = ImportReport::default();
        for profile in &export.profiles {
            if !catalog.profiles.iter().any(|p| p.id == profile.id) {
                catalog.profiles.push(profile.clone());
                report.profiles.push(profile.id.clone());
            }
        }
        for shared in &export.accounts {
            if catalog
                .accounts
                .iter()
                .any(|a| a.name == shared.name || a.id == shared.id)
            {
                report
                    .skipped
                    .push((shared.name.clone(), "an account of that name exists".into()));
                continue;
            }
            catalog.accounts.push(AccountRecord {
                tokens: TokenTimes::default(),
                team: None,
                ..shared.clone()
            });
            report.added.push(shared.name.clone());
        }
        Ok(report)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(name: &str, env: &str) -> AccountRecord {
        AccountRecord {
            id: name.to_lowercase().replace(' ', "-"),
            name: name.to_owned(),
            environment: env.to_owned(),
            profile: "acme".into(),
            base_url: "https://api.example.com".into(),
            identity: "ana@example.com".into(),
            client_id: None,
            second_factor: None,
            overrides: vec![],
            allow_plain_http: false,
            ca_cert_pem: None,
            tokens: TokenTimes {
                access_expires_at: Some(time::macros::datetime!(2026-01-01 13:00 UTC)),
                last_failure: Some(crate::vault::status::RenewalFailure {
                    code: crate::error::ErrorCode::ServerError,
                    message: "the server at https://api.example.com failed with HTTP 500".into(),
                    since: time::macros::datetime!(2026-01-01 12:00 UTC),
                }),
                ..TokenTimes::default()
            },
            team: None,
        }
    }

    fn scratch() -> CatalogFile {
        use std::hash::BuildHasher;
        let n = std::collections::hash_map::RandomState::new().hash_one(0);
        let dir = std::env::temp_dir().join(format!("tokenvault-x-{}-{n:x}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch");
        CatalogFile::new(dir.join("accounts.json"))
    }

    const ACME: &str = "id = \"acme\"\nname = \"Acme\"\n[login]\npath = \"/login\"\nidentity_field = \"user\"\npassword_field = \"secret\"\n";

    #[test]
    fn an_export_carries_accounts_and_profiles_but_no_token_state() {
        let catalog = Catalog {
            accounts: vec![account("Acme UAT", "UAT")],
            profiles: vec![StoredProfile {
                id: "acme".into(),
                source: ACME.into(),
            }],
            ..Catalog::default()
        };
        let text = serde_json::to_string(&export(&catalog)).unwrap();
        assert!(
            !text.contains("server_error") && !text.contains("2026-01-01"),
            "{text}"
        );
        let back = parse("team.json", &text).unwrap();
        assert_eq!(back.accounts[0].name, "Acme UAT");
    }

    #[test]
    fn importing_adds_what_is_new_and_skips_what_exists() {
        let file = scratch();
        file.save(&Catalog {
            accounts: vec![account("Acme UAT", "UAT")],
            ..Catalog::default()
        })
        .unwrap();
        let incoming = export(&Catalog {
            accounts: vec![
                account("Acme UAT", "UAT"),
                account("Acme Production", "Production"),
            ],
            profiles: vec![StoredProfile {
                id: "acme".into(),
                source: ACME.into(),
            }],
            ..Catalog::default()
        });
        let report = import(&file, &incoming).unwrap();
        assert_eq!(report.added, ["Acme Production"]);
        assert_eq!(report.skipped.len(), 1);
        assert_eq!(report.profiles, ["acme"]);
        let catalog = file.load().unwrap();
        assert_eq!(catalog.accounts.len(), 2);
        assert_eq!(
            catalog.accounts[0]
                .tokens
                .last_failure
                .as_ref()
                .map(|f| f.code.as_str()),
            Some("server_error"),
            "untouched"
        );
    }

    #[test]
    fn a_file_that_is_not_an_export_is_refused_precisely() {
        let error = parse(
            "notes.json",
            "{\"format\": \"something-else\", \"accounts\": []}",
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid profile notes.json: format: `something-else` is not `tokenvault-export-v1`"
        );
        let error = parse("team.json", "{\"format\": \"tokenvault-export-v1\", \"accounts\": [], \"profiles\": [{\"id\": \"x\", \"source\": \"id = 1\"}]}").unwrap_err();
        assert_eq!(error.code(), "invalid_profile");
    }
}
