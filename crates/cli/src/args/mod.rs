//! The command-line interface, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod account;
mod handover;
mod team;

pub use account::{AddArgs, OtpChoice, SignInArgs};
pub use handover::{ExecArgs, ImportPostmanArgs, ProxyArgs};
pub use team::TeamCommand;

const EXIT_CODES: &str = "\
Exit codes:
  0  ok
  2  usage: a wrong argument, an unknown account, an invalid profile
  3  rejected by the server: wrong credentials, forbidden, refused token, invalid OTT
  4  server or network failure: 5xx, timeout, unreachable, unexpected answer, TLS
  5  local vault or keyring failure

Environment:
  TOKENVAULT_HOME        the data folder (default: the OS's data folder)
  TOKENVAULT_PASSPHRASE  the passphrase of the encrypted secret file, where no keyring is usable
  TOKENVAULT_NO_AGENT    1 or true: open the vault in this process even if an agent runs";

/// Fresh API tokens for scripts, from the same vault as the Tokenvault app.
#[derive(Debug, Parser)]
#[command(name = "tokenvault", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// The data folder (overrides TOKENVAULT_HOME).
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Read the passphrase of the encrypted secret file from stdin.
    #[arg(long, global = true)]
    pub passphrase_stdin: bool,
    /// Do not use a running agent: open the vault in this process.
    #[arg(
        long,
        global = true,
        env = "TOKENVAULT_NO_AGENT",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub no_agent: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// List the built-in presets.
    Presets {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Work with profile files.
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Add, list and remove accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Log in now, whatever the tokens held.
    Login {
        /// Account name.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Ask for the one-time code the login needs (accounts added with `--otp ask`).
        #[arg(long, conflicts_with = "otp_stdin")]
        otp: bool,
        /// Read that one-time code from stdin.
        #[arg(long)]
        otp_stdin: bool,
        /// How a sign-in in the browser goes (accounts that need a person).
        #[command(flatten)]
        sign_in: SignInArgs,
    },
    /// Print a fresh access token (only the token, on stdout).
    Token(TokenArgs),
    /// Show each account's token expiry and state.
    Status {
        /// Only this account.
        name: Option<String>,
        /// Print JSON (the same as `--format json`).
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// Output format.
        #[arg(long, value_enum)]
        format: Option<StatusFormat>,
    },
    /// Run a command with fresh tokens in its environment: `exec NAME -- COMMAND...`.
    Exec(ExecArgs),
    /// A local reverse proxy that adds the fresh token to every request it forwards to the
    /// account's API (every account, each under /NAME/, when no name is given).
    Proxy(ProxyArgs),
    /// Print a Kubernetes ExecCredential with a fresh token (a kubectl credential plugin).
    #[command(name = "kubectl-credential")]
    KubectlCredential {
        /// Account name.
        name: String,
        /// The token must stay valid at least this many seconds (renewed first if not).
        #[arg(long, value_name = "SECONDS", default_value_t = 60)]
        min_valid: u32,
    },
    /// Check the account's token with its profile's validate call, and show whose it is.
    Validate {
        /// Account name or id.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Decode a JWT (unverified unless a key is given; exits 3 if the signature is not valid).
    Inspect(InspectArgs),
    /// One-time tokens.
    #[command(subcommand)]
    Ott(OttCommand),
    /// Long-living private tokens.
    #[command(subcommand, name = "private-token")]
    PrivateToken(PrivateTokenCommand),
    /// Accounts shared through a team's OpenBao or Vault.
    #[command(subcommand)]
    Team(TeamCommand),
    /// Write accounts and custom profiles (no secrets) to a file.
    Export {
        /// Where to write.
        file: PathBuf,
    },
    /// Add the accounts and profiles of an export file.
    Import {
        /// The file.
        file: PathBuf,
    },
    /// Add the accounts a Postman collection (v2.1) logs in with: its login requests and its
    /// OAuth 2.0 password and client-credentials set-ups, once per environment given.
    #[command(name = "import-postman")]
    ImportPostman(ImportPostmanArgs),
    /// Run the token agent: keep the vault open and its tokens fresh, and answer this
    /// command line over a socket in the data folder, until stopped (Ctrl+C, SIGTERM).
    Agent {
        /// Lock after this long without a request (30m, 2h).
        #[arg(long, value_name = "DURATION")]
        lock_after: Option<String>,
        /// Lock when the screen locks (Linux desktops that announce it on the session bus).
        #[arg(long)]
        lock_on_screen_lock: bool,
        /// Start in the background and return once it listens; its log goes to
        /// `agent.log` in the data folder.
        #[arg(long)]
        detach: bool,
    },
    /// Lock the running agent: it serves nothing until unlocked.
    Lock,
    /// Unlock the running agent.
    Unlock,
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), as the packages install it.
    #[command(hide = true)]
    ManPage,
}

/// `profile ...`
#[derive(Debug, Clone, Subcommand)]
pub enum ProfileCommand {
    /// Check a profile file and say precisely what is wrong.
    Check {
        /// The TOML file.
        file: PathBuf,
    },
}

/// `account ...`
#[derive(Debug, Clone, Subcommand)]
pub enum AccountCommand {
    /// Add an account; it logs in first and stores nothing if that fails.
    Add(Box<AddArgs>),
    /// List the accounts.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove an account and its secrets.
    Remove {
        /// Account name.
        name: String,
    },
}

/// Output formats of `token`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenFormat {
    /// The token alone.
    Raw,
    /// `Bearer <token>`.
    Bearer,
    /// `Authorization: Bearer <token>`.
    Header,
    /// A JSON object with the token and its expiry (the shape credential-process
    /// settings read).
    Json,
    /// Shell `export` lines: TOKENVAULT_TOKEN, TOKENVAULT_AUTHORIZATION and the expiry.
    Env,
    /// The same lines for a `.env` file.
    Dotenv,
}

/// Output formats of `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    /// A table.
    Table,
    /// A JSON array.
    Json,
    /// Shell `export` lines: TOKENVAULT_<NAME>_STATE, _EXPIRES_AT, _EXPIRES_AT_UNIX.
    Env,
}

/// `token` arguments.
#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    /// Account name.
    pub name: String,
    /// The token must stay valid at least this many seconds (renewed first if not).
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub min_valid: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TokenFormat::Raw)]
    pub format: TokenFormat,
    /// Renew now, whatever the token held.
    #[arg(long)]
    pub force_refresh: bool,
}

/// `inspect` arguments.
#[derive(Debug, Clone, Args)]
pub struct InspectArgs {
    /// The token (or read it from stdin when neither this nor --account is given).
    pub token: Option<String>,
    /// Inspect this account's stored access token.
    #[arg(long, value_name = "NAME", conflicts_with = "token")]
    pub account: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Verify with this HMAC secret.
    #[arg(long, value_name = "S", conflicts_with_all = ["key", "jwks"])]
    pub secret: Option<String>,
    /// Verify with this PEM public key file.
    #[arg(long, value_name = "PEM", conflicts_with = "jwks")]
    pub key: Option<PathBuf>,
    /// Verify with the JWKS at this URL.
    #[arg(long, value_name = "URL")]
    pub jwks: Option<String>,
}

/// `ott ...`
#[derive(Debug, Clone, Subcommand)]
pub enum OttCommand {
    /// Verify a one-time token (exit 3 when it is not valid).
    Verify {
        /// Account name.
        name: String,
        /// The one-time token.
        ott: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `private-token ...`
#[derive(Debug, Clone, Subcommand)]
pub enum PrivateTokenCommand {
    /// Create a private token; it is printed, and kept in the vault for `show`.
    Create {
        /// Account name.
        name: String,
        /// A label for the token.
        #[arg(long)]
        label: String,
        /// Lifetime, such as `30d`, `12h`, `90m`.
        #[arg(
            long,
            value_name = "DURATION",
            conflicts_with = "expires_at",
            required_unless_present = "expires_at"
        )]
        expires_in: Option<String>,
        /// Expiry instant in RFC 3339, such as `2027-01-01T00:00:00Z`.
        #[arg(long, value_name = "TIME")]
        expires_at: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List private tokens (never their values).
    List {
        /// Account name.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a private token this vault created (exit 2 if it holds no value for it).
    Show {
        /// Account name.
        name: String,
        /// The token's id (as `list` shows it).
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TokenFormat::Raw)]
        format: TokenFormat,
    },
    /// Revoke a private token.
    Revoke {
        /// Account name.
        name: String,
        /// The token's id.
        id: String,
    },
}

/// `30d`, `12h`, `90m`, `45s`, `2w`.
pub fn parse_duration(text: &str) -> Result<time::Duration, crate::exit::Failure> {
    use crate::exit::Failure;
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
    Ok(time::Duration::seconds(n.saturating_mul(seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_read_with_their_unit() {
        assert_eq!(parse_duration("30d").unwrap(), time::Duration::days(30));
        assert_eq!(parse_duration("90m").unwrap(), time::Duration::minutes(90));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5y").is_err());
    }
}
