// The one table that turns the backend's stable error codes into words and a next step.
// The backend's message says what happened in detail; this says what it means for the
// user and what to do about it.
import type { FailureCode } from "./types";

export interface Explained {
  /** A short headline. */
  title: string;
  /** What the user can do. */
  action: string;
  /** The backend's own words, with the details (never a secret). */
  detail: string;
  code: string;
  field?: string;
}

/** A backend failure, or the window's own when the backend did not answer at all. */
export type Code = FailureCode | "ipc";

/** Words for every code: the type makes a code without words a compile error. */
const TABLE: Record<Code, { title: string; action: string }> = {
  credentials_rejected: {
    title: "Login refused",
    action: "Check the identity and password; the server said they are wrong.",
  },
  client_rejected: {
    title: "Client refused",
    action:
      "Check the client ID and client secret (and how the client authenticates); the server refused the OAuth client, not the user.",
  },
  otp_required: {
    title: "One-time code needed",
    action:
      "The login asks for the code your authenticator shows: type it at the account, or give the account its TOTP secret.",
  },
  otp_rejected: {
    title: "One-time code refused",
    action: "Check the TOTP secret or the code, and that this computer's clock is right.",
  },
  sign_in_required: {
    title: "Sign in again",
    action:
      "This account signs in in a browser and its session ended: sign in again from its panel (or `tokenvault login`).",
  },
  sign_in_denied: {
    title: "Sign-in refused",
    action:
      "The sign-in was cancelled or refused in the browser, or its code was already used; start it again.",
  },
  sign_in_expired: {
    title: "Sign-in timed out",
    action:
      "The sign-in was not finished in time (the code expired, or the browser never came back); start it again.",
  },
  sign_in_mismatch: {
    title: "Sign-in not ours",
    action:
      "The browser came back from a sign-in this one did not start, so nothing was used; start it again from here.",
  },
  refresh_rejected: {
    title: "Refresh refused",
    action: "Tokenvault logs in again with the saved password; nothing to do unless that fails.",
  },
  unauthorized: {
    title: "Not authorised",
    action: "The token was refused. Copy again to get a fresh one.",
  },
  forbidden: {
    title: "Not allowed",
    action: "This account lacks the right for that call; ask the API's administrator.",
  },
  not_found: {
    title: "Not found",
    action: "Check the base URL: the API has no such path there.",
  },
  not_supported: {
    title: "Not supported",
    action: "This account's profile does not describe that call.",
  },
  server_error: {
    title: "The server failed",
    action: "Try again later; the held token stays in use while it is valid.",
  },
  unreachable: {
    title: "Server unreachable",
    action: "Check the base URL and your network or VPN.",
  },
  timeout: {
    title: "No answer in time",
    action: "The server is slow or down; Tokenvault retries on its own.",
  },
  unexpected_response: {
    title: "Unexpected answer",
    action: "The server answered something its profile does not describe; check the profile.",
  },
  tls: {
    title: "TLS problem",
    action: "The server's certificate is not trusted; add its CA certificate to the account.",
  },
  invalid_profile: {
    title: "Profile not usable",
    action: "Fix the profile at the field named; `tokenvault profile check` tells more.",
  },
  invalid_base_url: {
    title: "Base URL not usable",
    action: "Give a full URL such as https://api.example.com.",
  },
  invalid_account: {
    title: "Check the form",
    action: "Fix the field named.",
  },
  token_expired: {
    title: "Token expired",
    action: "It could not be renewed; use “Test login” or check the account.",
  },
  corrupt_catalog: {
    title: "Accounts file damaged",
    action: "It was kept aside, not overwritten; import a saved export or add the accounts again.",
  },
  storage: {
    title: "Storage problem",
    action: "Check the data folder's space and permissions.",
  },
  keyring_unavailable: {
    title: "Keyring not usable",
    action: "Unlock the OS keyring, or set a passphrase to use the encrypted file instead.",
  },
  wrong_passphrase: {
    title: "Wrong passphrase",
    action: "Give the passphrase the encrypted file was created with.",
  },
  no_secret_store: {
    title: "No safe place for secrets",
    action: "Unlock the OS keyring, or start with TOKENVAULT_PASSPHRASE set.",
  },
  team_conflict: {
    title: "Changed by someone else",
    action: "Sync the team, then share again: nothing was overwritten.",
  },
  team_forbidden: {
    title: "Not allowed by the team",
    action: "Ask the team's OpenBao admin for a policy that allows it.",
  },
  team_token_rejected: {
    title: "Team connection ended",
    action:
      "Connect the team again (tokenvault team connect); the tokens held are served and renewed meanwhile, but a new login needs the team.",
  },
  unknown_account: {
    title: "No such account",
    action: "It was removed, perhaps from the command line.",
  },
  private_token_not_held: {
    title: "Value not kept here",
    action: "It was created elsewhere or before this vault: create a new one to copy it.",
  },
  clipboard: {
    title: "Clipboard not usable",
    action: "Another program may hold the clipboard; try again.",
  },
  invalid_settings: {
    title: "Check the settings",
    action: "Fix the value named.",
  },
  invalid_ott: {
    title: "No one-time token",
    action: "Paste the one-time token to verify.",
  },
  invalid_import: {
    title: "Cannot make a login of it",
    action: "See what was found: a login's curl command sends a password field in its body.",
  },
  invalid_private_token: {
    title: "Check the private token",
    action: "Fix the value named.",
  },
  not_a_jwt: {
    title: "Not a JWT",
    action: "Paste a token of three dot-separated parts (the Bearer prefix may stay).",
  },
  no_token: {
    title: "No token yet",
    action: "Wait for the first login, or check the account's failure.",
  },
  cancelled: {
    title: "Sign-in cancelled",
    action: "Nothing was kept; start the sign-in again when you are ready.",
  },
  port_unavailable: {
    title: "The local proxy cannot listen",
    action: "Another program holds its port: switch the proxy off and on to take another.",
  },
  no_agent: {
    title: "Not serving the command line",
    action:
      "Another agent serves this vault, or the vault is not open; use `tokenvault lock` there.",
  },
  ipc: {
    title: "The app's backend did not answer",
    action: "Restart Tokenvault; if it goes on, report it.",
  },
};

/** Every code the table knows. */
export const knownCodes = (): string[] => Object.keys(TABLE);

/** A failure as the window handles it. */
interface Seen {
  code: string;
  message: string;
  field?: string;
}

/** Turns whatever a backend call threw into words. */
export function explain(error: unknown): Explained {
  const failure = asFailure(error);
  const entry = TABLE[failure.code as Code] ?? {
    title: "Something went wrong",
    action: "See the details.",
  };
  return { ...entry, detail: failure.message, code: failure.code, field: failure.field };
}

function asFailure(error: unknown): Seen {
  if (typeof error === "object" && error !== null && "code" in error && "message" in error) {
    const e = error as Seen;
    return { code: String(e.code), message: String(e.message), field: e.field };
  }
  return { code: "ipc", message: error instanceof Error ? error.message : String(error) };
}
