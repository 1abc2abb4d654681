// Generated from the Rust types that cross IPC (src-tauri/src/ipc_types.rs): do not
// edit. `./dev types` writes it again; a test fails when it drifts.

export type AccountView = { id: string, name: string, environment: string, profile: string, baseUrl: string, identity: string, state: TokenState, accessExpiresAt: number | null, accessObtainedAt: number | null, refreshExpiresAt: number | null, renewAt: number | null, lastRenewal: RenewalOutcome | null, failure: Failure | null, };

export type TokenState = "logging-in" | "fresh" | "renewing" | "failing" | "expired";

export type RenewalOutcome = "logged-in" | "refreshed" | "logged-in-again";

export type Failure = { code: FailureCode, message: string, field?: string, };

export type FailureCode = ErrorCode | ShellCode;

export type ErrorCode = "credentials_rejected" | "client_rejected" | "refresh_rejected" | "unauthorized" | "forbidden" | "not_found" | "server_error" | "unreachable" | "timeout" | "unexpected_response" | "tls" | "token_expired" | "not_supported" | "invalid_profile" | "invalid_base_url" | "invalid_account" | "invalid_ott" | "invalid_private_token" | "unknown_account" | "private_token_not_held" | "corrupt_catalog" | "storage" | "keyring_unavailable" | "wrong_passphrase" | "no_secret_store";

export type ShellCode = "clipboard" | "invalid_settings" | "no_agent" | "no_token" | "not_a_jwt";

export type AppInfo = { version: string, mode: "demo" | "vault", opening: boolean, demoApi: string | null, secretStore: string | null, dataFolder: string | null, problem: Failure | null, };

export type ProfileView = { id: string, name: string, description: string, 
/**
 * Whether a login needs a user's identity and password (not the client-credentials flow).
 */
password: boolean, 
/**
 * Whether it speaks for an OAuth client, whose id the form asks.
 */
client: boolean, 
/**
 * Whether that client authenticates with a secret, which the form asks.
 */
clientSecret: boolean, refresh: boolean, validate: boolean, ott: boolean, privateTokens: boolean, };

export type AccountForm = { name: string, environment: string, 
/**
 * A preset id, or none when a profile file was loaded.
 */
preset: string | null, 
/**
 * The text of a loaded profile file.
 */
profileSource: string | null, 
/**
 * The loaded file's name, for error messages.
 */
profileFileName: string | null, baseUrl: string, identity: string, 
/**
 * The OAuth client id, for profiles that speak for a client.
 */
clientId: string | null, allowPlainHttp: boolean, };

export type Added = { id: string, login: LoginPreview, };

export type LoginPreview = { accessExpiresAt: number | null, refreshToken: boolean, refreshExpiresAt: number | null, 
/**
 * `None` when the access token is not a JWT (an opaque token).
 */
report: Report | null, };

export type AccountDetails = { profile: ProfileView, report: Report | null, };

export type Report = { 
/**
 * The JOSE header.
 */
header: Record<string, unknown>, 
/**
 * The claims.
 */
claims: Record<string, unknown>, 
/**
 * The time claims.
 */
times: Array<TimeReport>, 
/**
 * Roles.
 */
roles: Array<string>, 
/**
 * The identity.
 */
identity: string | null, 
/**
 * Whether it had expired.
 */
expired: boolean | null, 
/**
 * What was done about the signature.
 */
verification: VerificationReport, };

export type TimeReport = { 
/**
 * `exp`, `iat`, ...
 */
claim: string, 
/**
 * RFC 3339.
 */
at: string | null, 
/**
 * `in 4 min`.
 */
relative: string, };

export type VerificationReport = { 
/**
 * `unverified`, `verified` or `failed`.
 */
status: "unverified" | "verified" | "failed", 
/**
 * `hmac-secret`, `pem-public-key` or `jwks <url>`.
 */
by: string | null, 
/**
 * The algorithm that checked it.
 */
algorithm: string | null, 
/**
 * Why it failed.
 */
reason: string | null, };

export type CopyFormat = "raw" | "bearer" | "header" | "curl";

export type CopyReceipt = { format: CopyFormat, expiresAt: number | null, clearsAt: number | null, clearsInSeconds: number, };

export type ValidationView = { 
/**
 * Whose token it is, when the answer names them.
 */
identity: string | null, 
/**
 * The whole answer (user details; never a token).
 */
details: unknown, };

export type OttVerdict = { valid: boolean, identity: string | null, reason: string | null, };

export type PrivateToken = { id: string, label: string, expiresAt: number | null, };

export type CreatedPrivateToken = { info: PrivateToken, token: string, };

export type AuditEvent = { 
/**
 * When.
 */
at: string, 
/**
 * The account id.
 */
account: string, 
/**
 * What.
 */
kind: AuditKind, 
/**
 * `ok`, or the stable error code of the failure.
 */
outcome: string, };

export type AuditKind = "login" | "refresh" | "relogin" | "ott-verify" | "validate" | "copy" | "private-token-create" | "private-token-revoke" | "account-change";

export type Settings = { 
/**
 * Renew this many seconds before a token expires (short tokens: at a fifth of their life).
 */
refreshLeadSeconds: number, 
/**
 * Clear a copied token from the clipboard after this many seconds.
 */
clipboardClearSeconds: number, 
/**
 * `system`, `light` or `dark`.
 */
theme: Theme, 
/**
 * Lock the command-line agent when the screen locks.
 */
lockAgentOnScreenLock: boolean, 
/**
 * Where the window was last.
 */
window: WindowPlace | null, };

export type Theme = "system" | "light" | "dark";

export type WindowPlace = { 
/**
 * Width.
 */
width: number, 
/**
 * Height.
 */
height: number, 
/**
 * Left edge.
 */
x: number, 
/**
 * Top edge.
 */
y: number, };

export type AgentState = { serving: boolean, locked: boolean, };

/** Every failure code the backend can send. */
export const FAILURE_CODES: FailureCode[] = ["credentials_rejected","client_rejected","refresh_rejected","unauthorized","forbidden","not_found","server_error","unreachable","timeout","unexpected_response","tls","token_expired","not_supported","invalid_profile","invalid_base_url","invalid_account","invalid_ott","invalid_private_token","unknown_account","private_token_not_held","corrupt_catalog","storage","keyring_unavailable","wrong_passphrase","no_secret_store","clipboard","invalid_settings","no_agent","no_token","not_a_jwt"];
