//! `tokenvault team ...`: accounts shared through a team's OpenBao or Vault.

use serde_json::{Value, json};
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::team::{TeamLogin, TeamRecord};
use tokenvault_core::vault::{SyncReport, TeamCredentials};
use tokenvault_core::{Secret, Vault};

use super::Outcome;
use crate::args::TeamCommand;
use crate::exit::Failure;
use crate::output;

/// Runs a `team` command on `vault`.
pub async fn run(vault: &Vault, command: TeamCommand) -> Outcome {
    match command {
        TeamCommand::Connect {
            team,
            addresses,
            mount,
            prefix,
            ca_cert,
            token_stdin,
            userpass,
            password_stdin,
        } => {
            let ca_cert_pem = ca_cert
                .map(|path| {
                    std::fs::read_to_string(&path).map_err(|e| {
                        Failure::Usage(format!("cannot read --ca-cert {}: {e}", path.display()))
                    })
                })
                .transpose()?;
            let credentials = match userpass {
                Some(user) => TeamCredentials::Userpass {
                    password: secret_from("userpass password", "password-stdin", password_stdin)?,
                    user,
                },
                None => {
                    TeamCredentials::Token(secret_from("engine token", "token-stdin", token_stdin)?)
                }
            };
            let record = TeamRecord {
                prefix: prefix.unwrap_or_else(|| format!("tokenvault/{team}")),
                name: team,
                addresses,
                mount,
                ca_cert_pem,
                login: TeamLogin::Token,
                token_expires_at: None,
                member: String::new(),
                last_sync: None,
            };
            let connected = vault.connect_team(record, credentials).await?;
            output::note(&format!(
                "connected team {} as {} ({}/{}); `tokenvault team sync {}` brings its accounts",
                connected.name, connected.member, connected.mount, connected.prefix, connected.name
            ));
            Ok(())
        }
        TeamCommand::Share { account, team } => {
            let version = vault.share(&account, &team).await?;
            output::note(&format!(
                "shared {account} in team {team} (version {version})"
            ));
            Ok(())
        }
        TeamCommand::Sync { team, json } => {
            let teams: Vec<String> = match team {
                Some(team) => vec![team],
                None => vault
                    .catalog()?
                    .teams
                    .iter()
                    .map(|t| t.name.clone())
                    .collect(),
            };
            let mut reports = Vec::new();
            let mut failed = None;
            for team in teams {
                match vault.sync_team(&team).await {
                    Ok(report) => {
                        if !json {
                            say(&team, &report);
                        }
                        reports.push(json!({"team": team, "ok": true, "added": report.added,
                            "updated": report.updated, "removed": report.removed,
                            "unchanged": report.unchanged, "requests": report.requests,
                            "skipped": report.skipped.iter().map(|(k, why)| json!({"entry": k, "reason": why})).collect::<Vec<_>>()}));
                    }
                    Err(e) => {
                        if !json {
                            output::note(&format!("team {team}: not synced: {e}"));
                        }
                        reports.push(json!({"team": team, "ok": false, "code": e.code().as_str(), "error": e.to_string()}));
                        failed.get_or_insert(e);
                    }
                }
            }
            if json {
                output::json(&Value::Array(reports));
            }
            match failed {
                Some(e) => Err(Failure::Core(e)),
                None => Ok(()),
            }
        }
        TeamCommand::List { json } | TeamCommand::Status { json } => {
            let catalog = vault.catalog()?;
            let now = SystemClock.now();
            let count = |team: &str| {
                catalog
                    .accounts
                    .iter()
                    .filter(|a| a.team.as_ref().is_some_and(|l| l.team == team))
                    .count()
            };
            if json {
                let list: Vec<Value> = catalog
                    .teams
                    .iter()
                    .map(|t| {
                        json!({
                            "team": t.name, "addresses": t.addresses, "mount": t.mount,
                            "prefix": t.prefix, "member": t.member, "accounts": count(&t.name),
                            "token_expires_at": output::instant(t.token_expires_at),
                            "token_seconds_left": output::seconds_left(t.token_expires_at, now),
                            "last_sync": t.last_sync.as_ref().map(|s| json!({
                                "at": output::instant(Some(s.at)), "outcome": s.outcome, "message": s.message,
                            })),
                        })
                    })
                    .collect();
                output::json(&Value::Array(list));
            } else {
                let rows: Vec<Vec<String>> = catalog
                    .teams
                    .iter()
                    .map(|t| {
                        vec![
                            t.name.clone(),
                            count(&t.name).to_string(),
                            t.member.clone(),
                            match t.token_expires_at {
                                Some(_) => output::left_in_words(t.token_expires_at, now),
                                None => "no expiry".to_owned(),
                            },
                            t.last_sync
                                .as_ref()
                                .map(|s| format!("{}: {}", s.outcome, s.message))
                                .unwrap_or_else(|| "never".to_owned()),
                            t.addresses.join(" "),
                        ]
                    })
                    .collect();
                output::table(
                    &["TEAM", "ACCOUNTS", "AS", "TOKEN", "LAST SYNC", "ADDRESS"],
                    &rows,
                );
            }
            Ok(())
        }
        TeamCommand::Disconnect { team } => {
            let removed = vault.disconnect_team(&team).await?;
            output::note(&format!(
                "disconnected team {team}; removed {} account(s) and their secrets",
                removed.len()
            ));
            Ok(())
        }
    }
}

fn say(team: &str, report: &SyncReport) {
    output::note(&format!("team {team}: {}", report.summary()));
    for name in &report.added {
        output::note(&format!("  added {name}"));
    }
    for name in &report.updated {
        output::note(&format!("  updated {name}"));
    }
    for name in &report.removed {
        output::note(&format!("  removed {name} (no longer shared in the team)"));
    }
    for (entry, reason) in &report.skipped {
        output::note(&format!("  skipped entry {entry}: {reason}"));
    }
}

/// A secret from one line of stdin, or asked for on the terminal.
fn secret_from(what: &str, flag: &str, from_stdin: bool) -> Result<Secret, Failure> {
    let secret = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| Failure::Usage(format!("cannot read the {what}: {e}")))?;
        Secret::new(line.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        Secret::new(
            rpassword::prompt_password(format!("{what}: ")).map_err(|e| {
                Failure::Usage(format!("cannot read the {what} (use --{flag}): {e}"))
            })?,
        )
    };
    if secret.is_empty() {
        return Err(Failure::Usage(format!("the {what} is empty")));
    }
    Ok(secret)
}
