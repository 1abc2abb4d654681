//! What each command does, in terms of the core: one module per group of commands.
//!
//! A command the agent can serve is first turned into the agent protocol's own
//! [`protocol::Command`]; it then runs through a running agent when there is one, or here
//! on a vault this process opens, by the same [`served`] function either way. That is what
//! keeps a command's output the same with and without an agent.

mod accounts;
mod agent;
mod calls;
pub mod exec;
pub mod fresh;
mod from_curl;
mod inspect;
mod postman;
mod profiles;
mod proxy;
mod relay;
mod sign_in;
mod team;
mod tokens;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use clap::CommandFactory;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokenvault_agent::protocol::{self, Reply};
use tokenvault_agent::{Handler, Running};
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::inspect::Key;
use tokenvault_core::vault::catalog::CatalogFile;
use tokenvault_core::vault::home::Home;
use tokenvault_core::{Secret, Vault};

use crate::args::{
    AccountCommand, Cli, Command, OttCommand, PrivateTokenCommand, ProfileCommand, StatusFormat,
    TokenFormat, parse_duration,
};
use crate::exit::Failure;
use crate::output;

pub use agent::start_agent;
use relay::{ask_agent, relay};

/// How a command ended.
pub type Outcome = Result<(), Failure>;

/// How long the keyring may take to open before a command gives up on it.
const KEYRING_PATIENCE: StdDuration = StdDuration::from_secs(30);

/// Runs one command: through the running agent when there is one and the command is
/// one it serves, in this process otherwise.
pub async fn run(cli: Cli) -> Outcome {
    let home = cli.home.as_deref();
    match cli.command {
        Command::Agent {
            detach,
            lock_after,
            lock_on_screen_lock,
        } => {
            let lock_after = lock_after.map(|text| parse_duration(&text)).transpose()?;
            if detach {
                agent::detach(home, lock_after, lock_on_screen_lock).await
            } else {
                agent::serve(home, cli.passphrase_stdin, lock_after, lock_on_screen_lock).await
            }
        }
        Command::Lock => agent::set_locked(home, true).await,
        Command::Unlock => agent::set_locked(home, false).await,
        Command::Presets { json } => profiles::presets(json),
        Command::Profile(ProfileCommand::Check { file }) => profiles::check(&file),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "tokenvault",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::ManPage => clap_mangen::Man::new(Cli::command())
            .render(&mut std::io::stdout())
            .map_err(|e| {
                Failure::Core(tokenvault_core::Error::Storage {
                    action: "write",
                    path: "the manual page to stdout".into(),
                    problem: e.to_string(),
                })
            }),
        Command::Inspect(args) if args.account.is_none() => inspect::pasted(args).await,
        Command::Account(AccountCommand::Add(args))
            if args.print_profile
                && (args.from_curl.is_some()
                    || args.from_curl_file.is_some()
                    || args.from_har.is_some()) =>
        {
            from_curl::print(*args).await
        }
        Command::ImportPostman(args) => postman::run(home, args).await,
        Command::Exec(args) => {
            let fresh = fresh::Fresh::new(home_at(home)?, cli.no_agent, cli.passphrase_stdin);
            exec::exec(&fresh, args).await
        }
        Command::Proxy(args) => {
            let fresh = fresh::Fresh::new(home_at(home)?, cli.no_agent, cli.passphrase_stdin);
            proxy::proxy(fresh, args).await
        }
        // A login that needs a person (a device sign-in) shows them what to do from here.
        Command::Login { ref name, .. } if needs_person(home, name) => {
            let vault = open_vault(home, cli.passphrase_stdin).await?;
            local(&vault, cli.command).await
        }
        command => match served_form(&command)? {
            Some(served_command) => {
                if !cli.no_agent
                    && let Some(reply) = ask_agent(&home_at(home)?, served_command.clone()).await?
                {
                    return relay(reply);
                }
                let vault = open_vault(home, cli.passphrase_stdin).await?;
                served(&vault, served_command).await
            }
            None => {
                let vault = open_vault(home, cli.passphrase_stdin).await?;
                local(&vault, command).await
            }
        },
    }
}

/// Whether the account signs in with a person there (the device flow), by its catalog
/// entry alone: no keyring is opened to tell.
fn needs_person(home: Option<&Path>, name: &str) -> bool {
    let Ok(home) = home_at(home) else {
        return false;
    };
    let Ok(catalog) = CatalogFile::new(home.catalog()).load() else {
        return false;
    };
    catalog
        .account(name)
        .and_then(|record| catalog.profile_of(record))
        .is_ok_and(|profile| profile.needs_person())
}

/// The agent protocol's form of a command the agent serves; `None` for the commands that
/// read local files or prompt (add, import, export, inspect with a PEM file, a login with
/// a one-time code).
fn served_form(command: &Command) -> Result<Option<protocol::Command>, Failure> {
    use protocol::Command as Served;
    Ok(Some(match command {
        Command::Token(args) => Served::Token {
            name: args.name.clone(),
            min_valid: args.min_valid,
            format: wire_format(args.format),
            force_refresh: args.force_refresh,
        },
        Command::Status { name, json, format } => Served::Status {
            name: name.clone(),
            format: match (json, format) {
                (true, _) | (false, Some(StatusFormat::Json)) => protocol::StatusFormat::Json,
                (false, Some(StatusFormat::Env)) => protocol::StatusFormat::Env,
                (false, Some(StatusFormat::Table) | None) => protocol::StatusFormat::Table,
            },
        },
        Command::KubectlCredential { name, min_valid } => Served::Token {
            name: name.clone(),
            min_valid: *min_valid,
            format: protocol::TokenFormat::KubernetesExecCredential,
            force_refresh: false,
        },
        Command::Login {
            name,
            json,
            otp: false,
            otp_stdin: false,
            ..
        } => Served::Login {
            name: name.clone(),
            json: *json,
        },
        Command::Validate { name, json } => Served::Validate {
            name: name.clone(),
            json: *json,
        },
        Command::Ott(OttCommand::Verify { name, ott, json }) => Served::OttVerify {
            name: name.clone(),
            ott: ott.clone(),
            json: *json,
        },
        Command::PrivateToken(PrivateTokenCommand::Create {
            name,
            label,
            expires_in,
            expires_at,
            json,
        }) => Served::PrivateTokenCreate {
            name: name.clone(),
            label: label.clone(),
            expires_at: expiry(expires_in.as_deref(), expires_at.as_deref())?,
            json: *json,
        },
        Command::PrivateToken(PrivateTokenCommand::List { name, json }) => {
            Served::PrivateTokenList {
                name: name.clone(),
                json: *json,
            }
        }
        Command::PrivateToken(PrivateTokenCommand::Show { name, id, format }) => {
            Served::PrivateTokenShow {
                name: name.clone(),
                id: id.clone(),
                format: wire_format(*format),
            }
        }
        Command::PrivateToken(PrivateTokenCommand::Revoke { name, id }) => {
            Served::PrivateTokenRevoke {
                name: name.clone(),
                id: id.clone(),
            }
        }
        Command::Account(AccountCommand::List { json }) => Served::AccountList { json: *json },
        Command::Account(AccountCommand::Remove { name }) => {
            Served::AccountRemove { name: name.clone() }
        }
        Command::Inspect(args) if args.key.is_none() => Served::Inspect {
            account: args.account.clone().unwrap_or_default(),
            json: args.json,
            secret: args.secret.clone(),
            jwks: args.jwks.clone(),
        },
        _ => return Ok(None),
    }))
}

/// A private token's expiry from `--expires-in` or `--expires-at` (the vault checks that
/// it is a minute to ten years away).
fn expiry(expires_in: Option<&str>, expires_at: Option<&str>) -> Result<OffsetDateTime, Failure> {
    let now = SystemClock.now();
    Ok(match (expires_in, expires_at) {
        (Some(text), _) => now.checked_add(parse_duration(text)?).ok_or_else(|| {
            Failure::Usage(format!("--expires-in `{text}` is too far in the future"))
        })?,
        (None, Some(text)) => OffsetDateTime::parse(text, &Rfc3339)
            .map_err(|e| Failure::Usage(format!("--expires-at `{text}` is not RFC 3339: {e}")))?,
        (None, None) => return Err(Failure::Usage("give --expires-in or --expires-at".into())),
    })
}

/// Runs a command the agent serves, on `vault`: in the agent, or here when none runs.
pub async fn served(vault: &Vault, command: protocol::Command) -> Outcome {
    use protocol::Command as Served;
    match command {
        Served::Token {
            name,
            min_valid,
            format,
            force_refresh,
        } => tokens::token(vault, &name, min_valid, format, force_refresh).await,
        Served::Status { name, format } => tokens::status(vault, name.as_deref(), format),
        Served::Login { name, json } => {
            tokens::login(vault, &name, json, tokens::Login::Kept).await
        }
        Served::Validate { name, json } => tokens::validate(vault, &name, json).await,
        Served::OttVerify { name, ott, json } => calls::verify_ott(vault, &name, ott, json).await,
        Served::PrivateTokenCreate {
            name,
            label,
            expires_at,
            json,
        } => calls::create_private_token(vault, &name, &label, expires_at, json).await,
        Served::PrivateTokenList { name, json } => {
            calls::list_private_tokens(vault, &name, json).await
        }
        Served::PrivateTokenShow { name, id, format } => {
            calls::show_private_token(vault, &name, &id, format).await
        }
        Served::PrivateTokenRevoke { name, id } => {
            calls::revoke_private_token(vault, &name, &id).await
        }
        Served::AccountList { json } => accounts::list(vault, json),
        Served::AccountRemove { name } => accounts::remove(vault, &name).await,
        Served::Inspect {
            account,
            json,
            secret,
            jwks,
        } => {
            let key = match (secret, jwks) {
                (Some(secret), _) => Some(Key::Secret(Secret::new(secret))),
                (None, Some(url)) => Some(Key::Jwks(url)),
                (None, None) => None,
            };
            inspect::stored(vault, &account, key, json).await
        }
    }
}

/// Runs a command that reads local files or prompts, on a vault this process opened.
async fn local(vault: &Vault, command: Command) -> Outcome {
    match command {
        Command::Account(AccountCommand::Add(args)) => accounts::add(vault, *args).await,
        Command::Export { file } => accounts::export(vault, &file),
        Command::Login {
            name,
            json,
            otp,
            otp_stdin,
            sign_in,
        } => {
            let how = if otp || otp_stdin {
                tokens::Login::WithCode(tokens::one_time_code(&name, otp_stdin)?)
            } else {
                tokens::Login::SignIn(sign_in::StderrPrompt::new(sign_in))
            };
            tokens::login(vault, &name, json, how).await
        }
        Command::Import { file } => accounts::import(vault, &file),
        Command::Team(command) => team::run(vault, command).await,
        Command::Inspect(args) => {
            let account = args.account.clone().unwrap_or_default();
            let key = inspect::key_of(&args)?;
            inspect::stored(vault, &account, key, args.json).await
        }
        // Matched before `run` opens a vault.
        _ => Err(Failure::Usage(
            "this command does not open the vault".into(),
        )),
    }
}

/// The command line's way of running what an agent serves: what the commands print is
/// captured and sent back to the client.
#[derive(Debug, Default)]
pub struct Commands;

impl Handler for Commands {
    fn run<'a>(&'a self, vault: &'a Vault, command: protocol::Command) -> Running<'a> {
        Box::pin(async move {
            let (outcome, printed) = output::capture(served(vault, command)).await;
            let (exit, failure) = match outcome {
                Ok(()) => (0, None),
                Err(failure) => (failure.exit_code(), Some(failure.to_string())),
            };
            Reply::ran(printed.stdout, printed.stderr, exit, failure)
        })
    }
}

/// The command line's handler, shared.
pub fn handler() -> Arc<dyn Handler> {
    Arc::new(Commands)
}

pub(crate) fn home_at(dir: Option<&Path>) -> Result<Home, Failure> {
    Ok(match dir {
        Some(dir) => Home::at(dir.to_path_buf())?,
        None => Home::resolve()?,
    })
}

/// Opens the vault of `--home` (or the default folder), with the encrypted file's
/// passphrase from stdin or `TOKENVAULT_PASSPHRASE` when there is one.
pub(crate) async fn open_vault(
    home: Option<&Path>,
    passphrase_stdin: bool,
) -> Result<Vault, Failure> {
    let home = home_at(home)?;
    let passphrase = if passphrase_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| Failure::Usage(format!("cannot read the passphrase: {e}")))?;
        Some(Secret::new(line.trim_end_matches(['\r', '\n']).to_owned()))
    } else {
        std::env::var("TOKENVAULT_PASSPHRASE").ok().map(Secret::new)
    };
    Ok(Vault::open(home, passphrase, KEYRING_PATIENCE).await?)
}

/// The agent protocol's name for an output format.
fn wire_format(format: TokenFormat) -> protocol::TokenFormat {
    match format {
        TokenFormat::Raw => protocol::TokenFormat::Raw,
        TokenFormat::Bearer => protocol::TokenFormat::Bearer,
        TokenFormat::Header => protocol::TokenFormat::Header,
        TokenFormat::Json => protocol::TokenFormat::Json,
        TokenFormat::Env => protocol::TokenFormat::Env,
        TokenFormat::Dotenv => protocol::TokenFormat::Dotenv,
    }
}
