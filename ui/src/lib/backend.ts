// The one module that talks to the Tauri backend: every other module imports from here,
// so the IPC seam is a single file that tests can replace.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AccountView, AppInfo } from "./types";

export function listAccounts(): Promise<AccountView[]> {
  return invoke<AccountView[]>("list_accounts");
}

export function appInfo(): Promise<AppInfo> {
  return invoke<AppInfo>("app_info");
}

/** What a copy did; the token itself never crosses back. */
export interface CopyReceipt {
  format: "bearer" | "raw" | "header";
  expiresAt: number | null;
  clearsInSeconds: number;
}

/** Copies a token valid for at least a minute (renewed first if needed). */
export function copyToken(id: string, format: CopyReceipt["format"]): Promise<CopyReceipt> {
  return invoke<CopyReceipt>("copy_token", { id, format });
}

/** Calls `onChange` when the app's facts change (the vault opened, or failed to). */
export function onAppInfoChanged(onChange: (info: AppInfo) => void): Promise<UnlistenFn> {
  return listen<AppInfo>("app-info-changed", (event) => onChange(event.payload));
}

/** Calls `onChange` with the full account list whenever the backend reports a change. */
export function onAccountsChanged(
  onChange: (accounts: AccountView[]) => void,
): Promise<UnlistenFn> {
  return listen<AccountView[]>("accounts-changed", (event) => onChange(event.payload));
}
