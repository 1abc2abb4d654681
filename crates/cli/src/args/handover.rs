//! The arguments of the commands that hand tokens to other programs (`exec`, `proxy`) and
//! that take accounts from other tools (`import-postman`).

use std::path::PathBuf;

use clap::Args;

/// `exec` arguments.
#[derive(Debug, Clone, Args)]
#[command(after_help = "\
The first account's token goes in TOKENVAULT_TOKEN, `Bearer <token>` in
TOKENVAULT_AUTHORIZATION, its expiry in TOKENVAULT_TOKEN_EXPIRES_AT (RFC 3339) and
TOKENVAULT_TOKEN_EXPIRES_AT_UNIX. Each --account NAME[=PREFIX] adds PREFIX_TOKEN,
PREFIX_AUTHORIZATION and PREFIX_TOKEN_EXPIRES_AT(_UNIX); PREFIX is NAME in capitals by default.

  tokenvault exec prive-uat -- sh -c 'curl -H \"Authorization: $TOKENVAULT_AUTHORIZATION\" ...'
  tokenvault exec --account prive-uat=PRIVE --account te-uat=TE -- ./compare.py

Exit codes: the command's own (128 + N for one ended by signal N); 127 when the command
does not exist, 126 when it cannot run; the codes below when no token could be had (the
command is not run).")]
pub struct ExecArgs {
    /// The account whose token the command gets (or one --account per account).
    #[arg(required_unless_present = "accounts")]
    pub name: Option<String>,
    /// The variable that holds the token, instead of TOKENVAULT_TOKEN.
    #[arg(long = "env", value_name = "VAR", requires = "name")]
    pub token_var: Option<String>,
    /// The variable that holds `Bearer <token>`, instead of TOKENVAULT_AUTHORIZATION.
    #[arg(long = "header-env", value_name = "VAR", requires = "name")]
    pub authorization_var: Option<String>,
    /// Another account: its token in PREFIX_TOKEN, `Bearer <token>` in PREFIX_AUTHORIZATION.
    #[arg(long = "account", value_name = "NAME[=PREFIX]")]
    pub accounts: Vec<String>,
    /// The tokens must stay valid at least this many seconds (renewed first if not).
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub min_valid: u32,
    /// Replace the tokens in the command's output with <tokenvault:NAME>.
    #[arg(long)]
    pub mask: bool,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<std::ffi::OsString>,
}

/// `proxy` arguments.
#[derive(Debug, Clone, Args)]
pub struct ProxyArgs {
    /// Only this account, at the root of the port; without it, every account under /NAME/.
    pub name: Option<String>,
    /// The port (0: a free one, printed).
    #[arg(long, default_value_t = 8411)]
    pub port: u16,
    /// The address to listen on; anything but loopback lets others send requests with
    /// your tokens.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// A token is sent only if it stays valid this many seconds (renewed first if not).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub min_valid: u32,
    /// How long the API may keep a request waiting before the client gets 504.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub upstream_timeout: u64,
}

/// `import-postman` arguments.
#[derive(Debug, Clone, Args)]
pub struct ImportPostmanArgs {
    /// The collection's JSON file (Postman's export "Collection v2.1").
    pub collection: PathBuf,
    /// A Postman environment file; its name becomes the accounts' environment (repeat for
    /// several).
    #[arg(long = "environment", value_name = "FILE")]
    pub environments: Vec<PathBuf>,
    /// Only say what would be added and what is not understood; keep nothing.
    #[arg(long)]
    pub list: bool,
    /// Read each password or client secret from stdin, a line each, in the order listed.
    #[arg(long)]
    pub password_stdin: bool,
    /// Try up to three usual refresh calls for a login request's account.
    #[arg(long)]
    pub try_refresh: bool,
}
