//! What each command does, in terms of the core.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use clap::CommandFactory;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use tokenvault_core::auth::Authenticator;
use tokenvault_core::clock::{Clock, SystemClock};
use tokenvault_core::inspect::{
    Report, Verification, inspect, verify_with_jwks, verify_with_pem, verify_with_secret,
};
use tokenvault_core::profile::{Profile, presets};
use tokenvault_core::vault::accounts::Accounts;
use tokenvault_core::vault::audit::AuditKind;
use tokenvault_core::vault::catalog::{AccountRecord, CatalogFile};
use tokenvault_core::vault::exchange;
use tokenvault_core::vault::home::{Home, app_name};
use tokenvault_core::vault::keeper::VaultKeeper;
use tokenvault_core::vault::new_account::{NewAccount, ProfileChoice};
use tokenvault_core::vault::secrets::open_store_patiently;
use tokenvault_core::{Error, Secret};

use crate::agent::client::{Asked, ask};
use crate::agent::protocol::{Reply, Request, is_served};
use crate::agent::server::{self, Agent};
use crate::args::{
    AccountCommand, AddArgs, Cli, Command, InspectArgs, OttCommand, PrivateTokenCommand,
    ProfileCommand, TokenArgs, TokenFormat,
};
use crate::exit::{self, Failure};
use crate::output;

/// How a command ended.
pub type Outcome = Result<(), Failure>;

/// Runs one command: through the running agent when there is one and the command is
/// one it serves, in this process otherwise.
pub async fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Agent {
            detach: true,
            lock_after,
            lock_on_screen_lock,
        } => detach_agent(cli.home.as_deref(), lock_after, lock_on_screen_lock).await,
        Command::Agent {
            lock_after,
            lock_on_screen_lock,
            ..
        } => {
            serve_as_agent(
                cli.home.as_deref(),
                cli.passphrase_stdin,
                lock_after,
                lock_on_screen_lock,
            )
            .await
        }
        Command::Lock => lock_agent(cli.home.as_deref(), true).await,
        Command::Unlock => lock_agent(cli.home.as_deref(), false).await,
        Command::Presets { json } => presets_list(json),
        Command::Profile(ProfileCommand::Check { file }) => profile_check(&file),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "tokenvault",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::Inspect(args) if args.account.is_none() => inspect_token(args, None).await,
        command => {
            if !cli.no_agent && is_served(&command) {
                let home = home_at(cli.home.as_deref())?;
                match ask(home.path(), Request::Run(command.clone())).await {
                    Asked::NoAgent => {}
                    Asked::Unsafe(why) => output::note(&format!("tokenvault: {why}")),
                    Asked::Broken(why) => {
                        return Err(Failure::Relayed {
                            message: why,
                            exit: exit::LOCAL,
                        });
                    }
                    Asked::Answered(reply) => return relay(reply),
                }
            }
            let vault = Vault::open(cli.home.as_deref(), cli.passphrase_stdin).await?;
            vault.run(command).await
        }
    }
}

/// Prints what the agent's command printed and ends as it ended.
fn relay(reply: Reply) -> Outcome {
    if let Some(why) = reply.refused {
        return Err(Failure::Relayed {
            message: why,
            exit: reply.exit.max(exit::USAGE),
        });
    }
    output::replay(&reply.stdout, &reply.stderr);
    match reply.failure {
        None if reply.exit == 0 => Ok(()),
        failure => Err(Failure::Relayed {
            message: failure.unwrap_or_else(|| "the command failed in the agent".into()),
            exit: reply.exit,
        }),
    }
}

fn home_at(dir: Option<&Path>) -> Result<Home, Failure> {
    Ok(match dir {
        Some(dir) => Home::at(dir.to_path_buf())?,
        None => Home::resolve()?,
    })
}

/// `tokenvault agent`: holds the vault open, keeps its tokens fresh, and serves the
/// command line until SIGINT or SIGTERM.
async fn serve_as_agent(
    home: Option<&Path>,
    passphrase_stdin: bool,
    lock_after: Option<String>,
    lock_on_screen_lock: bool,
) -> Outcome {
    let lock_after = lock_after.map(|text| parse_duration(&text)).transpose()?;
    let vault = Arc::new(Vault::open(home, passphrase_stdin).await?);
    let (listener, socket) = server::bind(vault.home.path()).await?;
    let keeper = Arc::new(VaultKeeper::new(
        Arc::clone(&vault.accounts),
        Arc::new(SystemClock),
    ));
    let keeping = tokio::spawn(keeper.run());
    let agent = Agent::new(Arc::clone(&vault));
    #[cfg(target_os = "linux")]
    if lock_on_screen_lock {
        crate::agent::screen::lock_on_screen_lock(Arc::clone(&agent));
    }
    #[cfg(not(target_os = "linux"))]
    if lock_on_screen_lock {
        output::note("tokenvault agent: screen-lock events are only followed on Linux");
    }
    let idle = lock_after.map(|after| {
        let seconds = u64::try_from(after.whole_seconds().max(1)).unwrap_or(1);
        tokio::spawn(Arc::clone(&agent).lock_when_idle(StdDuration::from_secs(seconds)))
    });
    output::note(&format!(
        "tokenvault agent: serving {} (store: {}); stop with Ctrl+C",
        socket.display(),
        vault.accounts.store().tier()
    ));
    server::serve(agent, listener, stopped()).await;
    keeping.abort();
    if let Some(idle) = idle {
        idle.abort();
    }
    let _ = std::fs::remove_file(&socket);
    output::note("tokenvault agent: stopped");
    Ok(())
}

/// `tokenvault agent --detach`: the same agent in the background, its own process group
/// (so the terminal's Ctrl+C does not reach it), its output in `agent.log`; returns once it
/// listens.
async fn detach_agent(
    home: Option<&Path>,
    lock_after: Option<String>,
    lock_on_screen_lock: bool,
) -> Outcome {
    let home = home_at(home)?;
    if matches!(ask(home.path(), Request::Ping).await, Asked::Answered(_)) {
        // Starting on demand is safe to repeat: the agent that answers stays.
        output::note("tokenvault agent: already running for this folder");
        return Ok(());
    }
    let log_path = home.path().join("agent.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", log_path.display())))?;
    let me = std::env::current_exe()
        .map_err(|e| Failure::Usage(format!("cannot find this program: {e}")))?;
    let mut command = std::process::Command::new(me);
    command.arg("--home").arg(home.path()).arg("agent");
    if let Some(after) = &lock_after {
        command.arg("--lock-after").arg(after);
    }
    if lock_on_screen_lock {
        command.arg("--lock-on-screen-lock");
    }
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let err = log
        .try_clone()
        .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", log_path.display())))?;
    let mut child = command
        .stdin(std::process::Stdio::null())
        .stdout(log)
        .stderr(err)
        .spawn()
        .map_err(|e| Failure::Usage(format!("cannot start the agent: {e}")))?;
    for _ in 0..200 {
        if let Some(status) = child.try_wait().ok().flatten() {
            return Err(Failure::Relayed {
                message: format!(
                    "the agent stopped at once ({status}); see {}",
                    log_path.display()
                ),
                exit: exit::LOCAL,
            });
        }
        if matches!(ask(home.path(), Request::Ping).await, Asked::Answered(_)) {
            output::note(&format!(
                "tokenvault agent: started in the background (pid {}); log: {}",
                child.id(),
                log_path.display()
            ));
            return Ok(());
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    Err(Failure::Relayed {
        message: format!(
            "the agent did not answer within 10 s; see {}",
            log_path.display()
        ),
        exit: exit::LOCAL,
    })
}

/// Completes on Ctrl+C or SIGTERM.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// `tokenvault lock` and `unlock`.
async fn lock_agent(home: Option<&Path>, lock: bool) -> Outcome {
    let home = home_at(home)?;
    let request = if lock { Request::Lock } else { Request::Unlock };
    match ask(home.path(), request).await {
        Asked::Answered(reply) if reply.refused.is_none() => {
            output::note(if reply.locked {
                "the agent is locked: it serves nothing until `tokenvault unlock`"
            } else {
                "the agent is unlocked"
            });
            Ok(())
        }
        Asked::Answered(reply) => relay(reply),
        Asked::NoAgent => Err(Failure::Usage(format!(
            "no agent serves {}; start one with `tokenvault agent`",
            home.path().display()
        ))),
        Asked::Unsafe(why) | Asked::Broken(why) => Err(Failure::Relayed {
            message: why,
            exit: exit::LOCAL,
        }),
    }
}

fn presets_list(json: bool) -> Outcome {
    let all = presets();
    if json {
        let list: Vec<Value> = all
            .iter()
            .map(|p| {
                let p = &p.profile;
                let mut calls = Vec::new();
                if p.validate.is_some() { calls.push("validate") }
                if p.ott.is_some() { calls.push("ott") }
                if p.private_tokens.is_some() { calls.push("private-tokens") }
                json!({"id": p.id, "name": p.name, "description": p.description, "refresh": p.has_refresh(), "calls": calls})
            })
            .collect();
        output::json(&Value::Array(list));
    } else {
        let rows: Vec<Vec<String>> = all
            .iter()
            .map(|p| vec![p.profile.id.clone(), p.profile.description.clone()])
            .collect();
        output::table(&["PRESET", "DIALECT"], &rows);
    }
    Ok(())
}

fn read_profile(file: &Path) -> Result<Profile, Failure> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", file.display())))?;
    Ok(Profile::from_toml(&file.display().to_string(), &text)?)
}

fn profile_check(file: &Path) -> Outcome {
    let profile = read_profile(file)?;
    let renewal = if profile.has_refresh() {
        "refresh"
    } else {
        "login again"
    };
    output::line(&format!(
        "{}: valid profile `{}` ({}); renews by {renewal}",
        file.display(),
        profile.id,
        profile.name
    ));
    Ok(())
}

async fn inspect_token(args: InspectArgs, stored: Option<Secret>) -> Outcome {
    let token = match (stored, &args.token) {
        (Some(token), _) => token,
        (None, Some(token)) => Secret::new(token.clone()),
        (None, None) => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Failure::Usage(format!("cannot read stdin: {e}")))?;
            Secret::new(text.trim().to_owned())
        }
    };
    let now = SystemClock.now();
    let seen = inspect(token.expose(), now)
        .map_err(|e| Failure::Usage(format!("not a readable JWT: {e}")))?;
    let verification = if let Some(secret) = &args.secret {
        verify_with_secret(token.expose(), &Secret::new(secret.clone()))
    } else if let Some(key) = &args.key {
        let pem = std::fs::read(key)
            .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", key.display())))?;
        verify_with_pem(token.expose(), &pem)
    } else if let Some(url) = &args.jwks {
        let http = Authenticator::new(Default::default())?;
        let jwks = http.fetch_jwks(url).await?;
        verify_with_jwks(token.expose(), &jwks, url)
    } else {
        Verification::Unverified
    };
    let report = Report::new(&seen, &verification);
    if args.json {
        output::json(&report);
    } else {
        let v = &report.verification;
        let by = v.by.clone().unwrap_or_default();
        let verdict = match v.status {
            "verified" => format!(
                "VERIFIED with {by} ({})",
                v.algorithm.clone().unwrap_or_default()
            ),
            "failed" => format!(
                "SIGNATURE NOT VALID with {by}: {}",
                v.reason.clone().unwrap_or_default()
            ),
            _ => "UNVERIFIED: the signature was not checked; the claims may be forged".to_owned(),
        };
        output::line(&verdict);
        output::line(&format!(
            "identity: {}",
            seen.identity.as_deref().unwrap_or("-")
        ));
        output::line(&format!(
            "roles:    {}",
            if seen.roles.is_empty() {
                "-".to_owned()
            } else {
                seen.roles.join(", ")
            }
        ));
        for t in &seen.times {
            output::line(&format!(
                "{:<9} {} ({})",
                format!("{}:", t.name),
                output::instant(Some(t.at)).as_str().unwrap_or_default(),
                t.relative
            ));
        }
        output::line(&format!("header:   {}", Value::Object(seen.header.clone())));
        output::line(&format!(
            "claims:   {}",
            serde_json::to_string_pretty(&seen.claims).unwrap_or_default()
        ));
    }
    Ok(())
}

/// The vault of a data folder, opened.
#[derive(Debug)]
pub struct Vault {
    home: Home,
    accounts: Arc<Accounts>,
}

impl Vault {
    /// A vault already opened elsewhere (the desktop app's).
    pub fn from_open(home: Home, accounts: Arc<Accounts>) -> Self {
        Self { home, accounts }
    }

    /// The data folder.
    pub fn home(&self) -> &Home {
        &self.home
    }

    /// The accounts.
    pub fn accounts(&self) -> &Arc<Accounts> {
        &self.accounts
    }

    async fn open(home: Option<&Path>, passphrase_stdin: bool) -> Result<Self, Failure> {
        let home = match home {
            Some(dir) => Home::at(dir.to_path_buf())?,
            None => Home::resolve()?,
        };
        let passphrase = if passphrase_stdin {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| Failure::Usage(format!("cannot read the passphrase: {e}")))?;
            Some(Secret::new(line.trim_end_matches(['\r', '\n']).to_owned()))
        } else {
            std::env::var("TOKENVAULT_PASSPHRASE").ok().map(Secret::new)
        };
        let store = open_store_patiently(
            home.clone(),
            app_name().to_owned(),
            passphrase,
            StdDuration::from_secs(30),
        )
        .await?;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        Ok(Self {
            accounts: Arc::new(Accounts::new(home.clone(), store, clock)),
            home,
        })
    }

    /// Runs a command that needs the vault.
    pub async fn run(&self, command: Command) -> Outcome {
        match command {
            Command::Account(AccountCommand::Add(args)) => self.add(args).await,
            Command::Account(AccountCommand::List { json }) => self.list(json),
            Command::Account(AccountCommand::Remove { name }) => {
                let removed = self.accounts.remove(&name).await?;
                output::note(&format!("removed {} and its secrets", removed.name));
                Ok(())
            }
            Command::Login { name, json } => self.login(&name, json).await,
            Command::Token(args) => self.token(args).await,
            Command::Status { name, json } => self.status(name.as_deref(), json),
            Command::Inspect(args) => {
                let name = args.account.clone().unwrap_or_default();
                let stored = self.accounts.stored_access_token(&name).await?;
                let stored = stored.ok_or_else(|| {
                    Failure::Usage(format!(
                        "{name} holds no access token yet; run `tokenvault login {name}`"
                    ))
                })?;
                inspect_token(args, Some(stored.value)).await
            }
            Command::Ott(OttCommand::Verify { name, ott, json }) => {
                self.verify_ott(&name, ott, json).await
            }
            Command::PrivateToken(command) => self.private_token(command).await,
            Command::Export { file } => self.export(&file),
            Command::Import { file } => self.import(&file),
            Command::Presets { .. }
            | Command::Profile(_)
            | Command::Completions { .. }
            | Command::Agent { .. }
            | Command::Lock
            | Command::Unlock => Ok(()),
        }
    }

    async fn add(&self, args: AddArgs) -> Outcome {
        let profile = match (&args.preset, &args.profile) {
            (Some(preset), _) => ProfileChoice::Preset(preset.clone()),
            (None, Some(file)) => ProfileChoice::Custom {
                origin: file.display().to_string(),
                source: std::fs::read_to_string(file)
                    .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", file.display())))?,
            },
            (None, None) => return Err(Failure::Usage("give --preset or --profile".into())),
        };
        let overrides = args
            .overrides
            .iter()
            .map(|pair| {
                pair.split_once('=')
                    .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                    .ok_or_else(|| Failure::Usage(format!("--set `{pair}` is not KEY=VALUE")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let ca_cert_pem = match &args.ca_cert {
            Some(file) => Some(
                std::fs::read_to_string(file)
                    .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", file.display())))?,
            ),
            None => None,
        };
        let password = if args.password_stdin {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| Failure::Usage(format!("cannot read the password: {e}")))?;
            Secret::new(line.trim_end_matches(['\r', '\n']).to_owned())
        } else {
            Secret::new(
                rpassword::prompt_password(format!(
                    "password for {} at {}: ",
                    args.username, args.base_url
                ))
                .map_err(|e| {
                    Failure::Usage(format!(
                        "cannot read the password (use --password-stdin): {e}"
                    ))
                })?,
            )
        };
        if password.is_empty() {
            return Err(Failure::Usage("the password is empty".into()));
        }
        let account = NewAccount {
            name: args.name.clone(),
            environment: args.environment,
            profile,
            base_url: args.base_url,
            identity: args.username,
            overrides,
            allow_plain_http: args.allow_http,
            ca_cert_pem,
        };
        let tokens = self.accounts.add_after_login(account, password).await?;
        output::note(&format!(
            "added {}: logged in, access token valid for {}",
            args.name,
            output::left_in_words(tokens.access.expires_at, SystemClock.now())
        ));
        Ok(())
    }

    fn list(&self, json: bool) -> Outcome {
        let catalog = self.accounts.catalog()?;
        if json {
            let list: Vec<Value> = catalog
                .accounts
                .iter()
                .map(|a| json!({"name": a.name, "id": a.id, "environment": a.environment, "profile": a.profile, "base_url": a.base_url, "identity": a.identity}))
                .collect();
            output::json(&Value::Array(list));
        } else {
            let rows: Vec<Vec<String>> = catalog
                .accounts
                .iter()
                .map(|a| {
                    vec![
                        a.name.clone(),
                        a.environment.clone(),
                        a.profile.clone(),
                        a.identity.clone(),
                        a.base_url.clone(),
                    ]
                })
                .collect();
            output::table(&["NAME", "ENV", "PROFILE", "IDENTITY", "BASE URL"], &rows);
        }
        Ok(())
    }

    async fn login(&self, name: &str, json: bool) -> Outcome {
        let tokens = self.accounts.login(name).await?;
        let now = SystemClock.now();
        if json {
            output::json(&json!({
                "name": name, "access_expires_at": output::instant(tokens.access.expires_at),
                "seconds_left": output::seconds_left(tokens.access.expires_at, now),
                "refresh": tokens.refresh.is_some()
            }));
        } else {
            output::note(&format!(
                "logged in to {name}: access token valid for {}",
                output::left_in_words(tokens.access.expires_at, now)
            ));
        }
        Ok(())
    }

    async fn token(&self, args: TokenArgs) -> Outcome {
        let min_valid = Duration::seconds(i64::from(args.min_valid));
        let (token, _) = if args.force_refresh {
            self.accounts.renew_now(&args.name).await?
        } else {
            self.accounts.access_token(&args.name, min_valid).await?
        };
        let value = token.value.expose();
        match args.format {
            TokenFormat::Raw => output::line(value),
            TokenFormat::Bearer => output::line(&format!("Bearer {value}")),
            TokenFormat::Header => output::line(&format!("Authorization: Bearer {value}")),
            TokenFormat::Json => output::json(&json!({
                "account": args.name, "token": value, "token_type": "Bearer",
                "expires_at": output::instant(token.expires_at),
                "seconds_left": output::seconds_left(token.expires_at, SystemClock.now())
            })),
        }
        let id = self.accounts.catalog()?.account(&args.name)?.id.clone();
        self.accounts.audit_event(&id, AuditKind::Copy, "ok");
        Ok(())
    }

    fn status(&self, name: Option<&str>, json: bool) -> Outcome {
        let catalog = self.accounts.catalog()?;
        let accounts: Vec<&AccountRecord> = match name {
            Some(name) => vec![catalog.account(name)?],
            None => catalog.accounts.iter().collect(),
        };
        let now = SystemClock.now();
        let state =
            |a: &AccountRecord| match (a.tokens.access_obtained_at, a.tokens.access_expires_at) {
                (None, _) => "no-token",
                (Some(_), None) => "unknown-expiry",
                (Some(_), Some(at)) if at <= now => "expired",
                (Some(_), Some(at)) if at - now < Duration::seconds(60) => "expiring",
                _ => "fresh",
            };
        if json {
            let list: Vec<Value> = accounts
                .iter()
                .map(|a| json!({
                    "name": a.name, "environment": a.environment, "profile": a.profile, "state": state(a),
                    "access_expires_at": output::instant(a.tokens.access_expires_at),
                    "seconds_left": output::seconds_left(a.tokens.access_expires_at, now),
                    "refresh_expires_at": output::instant(a.tokens.refresh_expires_at),
                    "last_failure": a.tokens.last_failure
                }))
                .collect();
            output::json(&Value::Array(list));
        } else {
            let rows: Vec<Vec<String>> = accounts
                .iter()
                .map(|a| {
                    vec![
                        a.name.clone(),
                        a.environment.clone(),
                        state(a).to_owned(),
                        output::left_in_words(a.tokens.access_expires_at, now),
                        a.tokens.refresh_expires_at.map_or("-".to_owned(), |_| {
                            output::left_in_words(a.tokens.refresh_expires_at, now)
                        }),
                    ]
                })
                .collect();
            output::table(
                &["NAME", "ENV", "STATE", "ACCESS LEFT", "REFRESH LEFT"],
                &rows,
            );
        }
        Ok(())
    }

    async fn verify_ott(&self, name: &str, ott: String, json: bool) -> Outcome {
        let outcome = self.accounts.verify_ott(name, &Secret::new(ott)).await?;
        if json {
            output::json(
                &json!({"valid": outcome.valid, "identity": outcome.identity, "reason": outcome.reason}),
            );
        } else if outcome.valid {
            output::line(&format!(
                "valid: {}",
                outcome.identity.as_deref().unwrap_or("(no identity given)")
            ));
        }
        if outcome.valid {
            Ok(())
        } else {
            Err(Failure::OttInvalid(
                outcome.reason.unwrap_or_else(|| "no reason given".into()),
            ))
        }
    }

    async fn private_token(&self, command: PrivateTokenCommand) -> Outcome {
        let now = SystemClock.now();
        match command {
            PrivateTokenCommand::Create {
                name,
                label,
                expires_in,
                expires_at,
                json,
            } => {
                let expires_at = match (expires_in, expires_at) {
                    (Some(text), _) => {
                        now.checked_add(parse_duration(&text)?).ok_or_else(|| {
                            Failure::Usage(format!(
                                "--expires-in `{text}` is too far in the future"
                            ))
                        })?
                    }
                    (None, Some(text)) => OffsetDateTime::parse(&text, &Rfc3339).map_err(|e| {
                        Failure::Usage(format!("--expires-at `{text}` is not RFC 3339: {e}"))
                    })?,
                    (None, None) => {
                        return Err(Failure::Usage("give --expires-in or --expires-at".into()));
                    }
                };
                if expires_at <= now {
                    return Err(Failure::Usage("the expiry must be in the future".into()));
                }
                let created = self
                    .accounts
                    .create_private_token(&name, &label, expires_at)
                    .await?;
                if json {
                    output::json(
                        &json!({"id": created.info.id, "label": created.info.label, "expires_at": output::instant(created.info.expires_at), "token": created.token.expose()}),
                    );
                } else {
                    output::note(&format!(
                        "created private token {} ({}), expires in {}; it is shown once:",
                        created.info.id,
                        created.info.label,
                        output::left_in_words(created.info.expires_at, now)
                    ));
                    output::line(created.token.expose());
                }
            }
            PrivateTokenCommand::List { name, json } => {
                let tokens = self.accounts.list_private_tokens(&name).await?;
                if json {
                    let list: Vec<Value> = tokens.iter().map(|t| json!({"id": t.id, "label": t.label, "expires_at": output::instant(t.expires_at)})).collect();
                    output::json(&Value::Array(list));
                } else {
                    let rows: Vec<Vec<String>> = tokens
                        .iter()
                        .map(|t| {
                            vec![
                                t.id.clone(),
                                t.label.clone(),
                                output::left_in_words(t.expires_at, now),
                            ]
                        })
                        .collect();
                    output::table(&["ID", "LABEL", "EXPIRES IN"], &rows);
                }
            }
            PrivateTokenCommand::Revoke { name, id } => {
                self.accounts.revoke_private_token(&name, &id).await?;
                output::note(&format!("revoked private token {id}"));
            }
        }
        Ok(())
    }

    fn export(&self, file: &Path) -> Outcome {
        let export = exchange::export(&self.accounts.catalog()?);
        let text = serde_json::to_string_pretty(&export).unwrap_or_default();
        std::fs::write(file, text).map_err(|e| {
            Failure::Core(Error::Storage {
                action: "write",
                path: file.display().to_string(),
                problem: e.to_string(),
            })
        })?;
        output::note(&format!(
            "exported {} accounts and {} profiles to {} (no secrets)",
            export.accounts.len(),
            export.profiles.len(),
            file.display()
        ));
        Ok(())
    }

    fn import(&self, file: &Path) -> Outcome {
        let text = std::fs::read_to_string(file)
            .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", file.display())))?;
        let export = exchange::parse(&file.display().to_string(), &text)?;
        let report = exchange::import(&CatalogFile::new(self.home.catalog()), &export)?;
        for name in &report.added {
            output::note(&format!(
                "added {name} (set its password with `tokenvault account remove` and `add`, or log in from the app)"
            ));
        }
        for (name, why) in &report.skipped {
            output::note(&format!("skipped {name}: {why}"));
        }
        Ok(())
    }
}

/// `30d`, `12h`, `90m`, `45s`, `2w`.
fn parse_duration(text: &str) -> Result<Duration, Failure> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| {
        Failure::Usage(format!(
            "`{text}` is not a duration such as 30d, 12h or 90m"
        ))
    })?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => {
            return Err(Failure::Usage(format!(
                "`{text}`: the unit must be s, m, h, d or w"
            )));
        }
    };
    Ok(Duration::seconds(n.saturating_mul(seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_read_with_their_unit() {
        assert_eq!(parse_duration("30d").unwrap(), Duration::days(30));
        assert_eq!(parse_duration("90m").unwrap(), Duration::minutes(90));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5y").is_err());
    }
}
