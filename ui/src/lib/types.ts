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
  failure: { code: string; message: string } | null;
}

export type TokenState = "logging-in" | "fresh" | "renewing" | "failing" | "expired";

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
  problem: { code: string; message: string } | null;
}
