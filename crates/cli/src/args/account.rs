//! The arguments of `account add`, and of the sign-ins `add` and `login` may start.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// `account add` arguments.
#[derive(Debug, Clone, Args)]
pub struct AddArgs {
    /// A unique name, such as `prive-uat`.
    pub name: String,
    /// A built-in preset (with --issuer alone: `oidc`).
    #[arg(
        long,
        conflicts_with = "profile",
        required_unless_present_any = ["profile", "issuer", "from_curl", "from_curl_file", "from_har"]
    )]
    pub preset: Option<String>,
    /// A profile file for an API no preset knows.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// The API's base URL (with --issuer: the issuer, unless given).
    #[arg(
        long,
        value_name = "URL",
        required_unless_present_any = ["issuer", "from_curl", "from_curl_file", "from_har"]
    )]
    pub base_url: Option<String>,
    /// An OpenID Connect issuer: its discovery document gives the endpoints, the signing
    /// keys, revocation and introspection.
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// The login identity (user name, email, login); not asked by the client-credentials
    /// flow, whose identity is the client id.
    #[arg(long, value_name = "ID")]
    pub username: Option<String>,
    /// The OAuth client id, for profiles that speak for a client.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Environment label.
    #[arg(long = "env", value_name = "LABEL", default_value = "UAT")]
    pub environment: String,
    /// An extra CA certificate (PEM file) to trust.
    #[arg(long, value_name = "PEM")]
    pub ca_cert: Option<PathBuf>,
    /// Read the password from stdin instead of a prompt.
    #[arg(long)]
    pub password_stdin: bool,
    /// Read the OAuth client secret from stdin instead of a prompt (after the password's
    /// line when both are read).
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// The second factor its logins answer, for APIs that ask a one-time code: `totp`
    /// (codes generated from a TOTP secret kept in the keyring) or `ask` (typed at every
    /// login; the background keeper never logs in by itself).
    #[arg(long, value_enum, value_name = "HOW")]
    pub otp: Option<OtpChoice>,
    /// Read the TOTP secret (an otpauth:// URI or its base32 text) from stdin instead of a
    /// prompt, after the password's and the client secret's lines.
    #[arg(long, requires = "otp")]
    pub totp_secret_stdin: bool,
    /// Read the one-time code of `--otp ask` from stdin instead of a prompt, last.
    #[arg(long, requires = "otp")]
    pub otp_stdin: bool,
    /// Override one profile field, such as `login.path=/v2/login`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Allow plain http to a host that is not loopback.
    #[arg(long)]
    pub allow_http: bool,
    /// The curl command of the API's login, as its documentation or a browser's "Copy as
    /// cURL" gives it: the profile is made from it and from the answer to it. The password
    /// in it is never kept (it is asked for), nor is the command.
    #[arg(
        long,
        value_name = "COMMAND",
        conflicts_with_all = ["preset", "profile", "issuer", "from_curl_file"]
    )]
    pub from_curl: Option<String>,
    /// The same, from a file (`-`: stdin).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["preset", "profile", "issuer"])]
    pub from_curl_file: Option<PathBuf>,
    /// A HAR file saved by a browser's developer tools while logging in (and, for a
    /// refresh, while the page renewed its token): the profile is made from the login it
    /// recorded and the request that sent the refresh token back. Nothing of it is kept.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["preset", "profile", "issuer", "from_curl", "from_curl_file"]
    )]
    pub from_har: Option<PathBuf>,
    /// With --from-har: the login's entry (its number, from 1), when the file holds several.
    #[arg(long, value_name = "N", requires = "from_har")]
    pub entry: Option<usize>,
    /// With --from-curl: try up to three usual refresh calls with the refresh token the
    /// login gave (without it, the account logs in again to renew).
    #[arg(long)]
    pub try_refresh: bool,
    /// With --from-curl or --from-har: print the profile made, a comment per decision, and
    /// keep nothing.
    #[arg(long)]
    pub print_profile: bool,
    /// How a sign-in in the browser goes (profiles whose login needs a person).
    #[command(flatten)]
    pub sign_in: SignInArgs,
}

/// How a sign-in in the browser goes.
#[derive(Debug, Clone, Copy, Args)]
pub struct SignInArgs {
    /// Print the sign-in page's address on stderr, and open no browser (a machine without
    /// one, or a browser of your choice).
    #[arg(long)]
    pub no_browser: bool,
    /// How long to wait for the browser to come back from the sign-in page.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub wait: u64,
}

/// `--otp`: how an account answers a login's request for a one-time code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OtpChoice {
    /// Codes generated from a TOTP secret kept in the keyring.
    Totp,
    /// A code typed at every login.
    Ask,
}
