/** An account as the backend shows it: no secret, instants as Unix milliseconds. */
export interface AccountView {
  id: string;
  name: string;
  environment: string;
  profile: string;
  baseUrl: string;
  identity: string;
  state: TokenState;
  accessExpiresAt: number | null;
  accessObtainedAt: number | null;
  refreshExpiresAt: number | null;
  renewAt: number | null;
  lastRenewal: "logged-in" | "refreshed" | "logged-in-again" | null;
  failure: Failure | null;
}

export type TokenState = "logging-in" | "fresh" | "renewing" | "failing" | "expired";

/** Every error from the backend: a stable code, a message, and the form field at fault. */
export interface Failure {
  code: string;
  message: string;
  field?: string;
}

/** What the app runs on. */
export interface AppInfo {
  version: string;
  mode: "demo" | "vault";
  /** The vault is still being opened (the keyring may be asking to be unlocked). */
  opening: boolean;
  demoApi: string | null;
  /** Where secrets are kept: "OS keyring", "encrypted file", "memory only (demo)". */
  secretStore: string | null;
  dataFolder: string | null;
  /** Why the vault could not be opened, if it could not. */
  problem: Failure | null;
}

/** What a profile can do. */
export interface ProfileView {
  id: string;
  name: string;
  description: string;
  refresh: boolean;
  ott: boolean;
  privateTokens: boolean;
}

/** A new account as the form describes it (the password travels separately). */
export interface AccountForm {
  name: string;
  environment: string;
  preset: string | null;
  profileSource: string | null;
  profileFileName: string | null;
  baseUrl: string;
  identity: string;
  allowPlainHttp: boolean;
}

/** A decoded token: never the token itself. Instants are RFC 3339 text. */
export interface Report {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  times: { claim: string; at: string | null; relative: string }[];
  roles: string[];
  identity: string | null;
  expired: boolean | null;
  verification: {
    status: "unverified" | "verified" | "failed";
    by: string | null;
    algorithm: string | null;
    reason: string | null;
  };
}

/** What a login gave. */
export interface LoginPreview {
  accessExpiresAt: number | null;
  refreshToken: boolean;
  refreshExpiresAt: number | null;
  report: Report | null;
}

export interface AccountDetails {
  profile: ProfileView;
  report: Report | null;
}

export type CopyFormat = "bearer" | "raw" | "header" | "curl";

/** What a copy did; the token itself never crosses back. */
export interface CopyReceipt {
  format: CopyFormat;
  expiresAt: number | null;
  clearsAt: number | null;
  clearsInSeconds: number;
}

export interface OttVerdict {
  valid: boolean;
  identity: string | null;
  reason: string | null;
}

export interface PrivateToken {
  id: string;
  label: string;
  expiresAt: number | null;
}

/** A created private token: its value is shown once. */
export interface CreatedPrivateToken {
  info: PrivateToken;
  token: string;
}

export type KeyInput =
  | { kind: "secret"; value: string }
  | { kind: "pem"; value: string }
  | { kind: "jwks"; value: string };

export interface AuditEvent {
  at: string;
  account: string;
  kind: string;
  outcome: string;
}

export type Theme = "system" | "light" | "dark";

export interface Settings {
  refreshLeadSeconds: number;
  clipboardClearSeconds: number;
  theme: Theme;
  lockAgentOnScreenLock: boolean;
}

/** The command-line agent the app runs. */
export interface AgentState {
  serving: boolean;
  locked: boolean;
}
