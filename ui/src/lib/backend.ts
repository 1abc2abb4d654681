// The one module that talks to the Tauri backend: every other module imports from here,
// so the IPC seam is a single file that browser tests replace.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  AccountDetails,
  AccountForm,
  AccountView,
  AgentState,
  AppInfo,
  AuditEvent,
  CopyFormat,
  CopyReceipt,
  CreatedPrivateToken,
  CurlDraftView,
  CurlForm,
  FormSecrets,
  IntrospectionView,
  KeyInput,
  LoginPreview,
  OttVerdict,
  PrivateToken,
  ProfileView,
  ProxyView,
  RemovedView,
  Report,
  Settings,
  ShortcutStatus,
  SignInView,
  TeamView,
  ValidationView,
} from "./types";

export type { UnlistenFn };

export const listAccounts = (): Promise<AccountView[]> => invoke("list_accounts");
export const appInfo = (): Promise<AppInfo> => invoke("app_info");
export const presets = (): Promise<ProfileView[]> => invoke("presets");
export const accountDetails = (id: string): Promise<AccountDetails> =>
  invoke("account_details", { id });

/** Logs in as the form says and stores nothing. */
export const testLogin = (form: AccountForm, secrets: FormSecrets): Promise<LoginPreview> =>
  invoke("test_login", { form, secrets });

/** Adds the account if it can log in. */
export const addAccount = (
  form: AccountForm,
  secrets: FormSecrets,
): Promise<{ id: string; login: LoginPreview }> => invoke("add_account", { form, secrets });

/** A profile made from the curl command of a login: it logs in once with `password`, stores nothing. */
export const draftFromCurl = (form: CurlForm, password: string): Promise<CurlDraftView> =>
  invoke("draft_from_curl", { form, password });

/** An existing account's form, to edit it (never its secrets). */
export const accountForm = (id: string): Promise<AccountForm> => invoke("account_form", { id });

/** Changes the account if it can still log in; an empty secret keeps the saved one. */
export const editAccount = (
  id: string,
  form: AccountForm,
  secrets: FormSecrets,
): Promise<{ id: string; login: LoginPreview }> => invoke("edit_account", { id, form, secrets });

/** Signs an account in again with a device code the window shows (`onDeviceSignIn`). */
export const signInAgain = (id: string): Promise<void> => invoke("sign_in_again", { id });

/** Ends the sign-in waiting for its person; the call that started it fails with `cancelled`. */
export const cancelSignIn = (): Promise<void> => invoke("cancel_sign_in");

/** Logs the account in with the one-time code the user typed. */
export const logInWithCode = (id: string, code: string): Promise<void> =>
  invoke("log_in_with_code", { id, code });

/** Removes the account, revoking its token where its server offers it; says what the server was told. */
export const removeAccount = (id: string): Promise<RemovedView> => invoke("remove_account", { id });

/** Copies a token valid for at least a minute (renewed first if needed). */
export const copyToken = (id: string, format: CopyFormat): Promise<CopyReceipt> =>
  invoke("copy_token", { id, format });

export const copyPrivateToken = (id: string, tokenId: string): Promise<CopyReceipt> =>
  invoke("copy_private_token", { id, tokenId });

/** Clears the clipboard if it still holds our last copy; says whether it did. */
export const clearClipboard = (): Promise<boolean> => invoke("clear_clipboard");

/** The profile's validate call, with the account's fresh token. */
export const validateAccount = (id: string): Promise<ValidationView> =>
  invoke("validate_account", { id });

export const verifyOtt = (id: string, ott: string): Promise<OttVerdict> =>
  invoke("verify_ott", { id, ott });

export const listPrivateTokens = (id: string): Promise<PrivateToken[]> =>
  invoke("list_private_tokens", { id });

export const createPrivateToken = (
  id: string,
  label: string,
  lifetimeSeconds: number,
): Promise<CreatedPrivateToken> => invoke("create_private_token", { id, label, lifetimeSeconds });

export const revokePrivateToken = (id: string, tokenId: string): Promise<void> =>
  invoke("revoke_private_token", { id, tokenId });

/** Decodes a pasted token, or an account's, checking it only against a given key. */
export const inspectToken = (request: {
  token?: string;
  accountId?: string;
  key?: KeyInput;
}): Promise<Report> => invoke("inspect_token", request);

/** What an account's server says of its opaque token; `null` where it cannot be asked. */
export const introspectAccount = (accountId: string): Promise<IntrospectionView | null> =>
  invoke("introspect_account", { accountId });

/** Whether the account's local proxy runs, and its address. */
export const accountProxy = (id: string): Promise<ProxyView> => invoke("account_proxy", { id });

/** Starts or stops the account's local proxy; answers its address while it runs. */
export const setAccountProxy = (id: string, on: boolean): Promise<ProxyView> =>
  invoke("set_account_proxy", { id, on });

/** The teams this vault is connected to. */
export const listTeams = (): Promise<TeamView[]> => invoke("list_teams");

/** Syncs a team now; a failed sync comes back as its `lastSync`, not as an error. */
export const syncTeam = (name: string): Promise<TeamView> => invoke("sync_team", { name });

export const auditEvents = (limit = 200): Promise<AuditEvent[]> =>
  invoke("audit_events", { limit });

/** Whether the app serves the command line, and whether that is locked. */
export const agentState = (): Promise<AgentState> => invoke("agent_state");
export const setAgentLocked = (locked: boolean): Promise<AgentState> =>
  invoke("set_agent_locked", { locked });

/** Tells the backend the window painted its first list (the log times the app's start). */
export const windowPainted = (accounts: number): Promise<void> =>
  invoke("window_painted", { accounts });

export const getSettings = (): Promise<Settings> => invoke("get_settings");

/** The global shortcut in force, and why the one asked for is not. */
export const shortcutStatus = (): Promise<ShortcutStatus> => invoke("shortcut_status");
export const setSettings = (settings: Settings): Promise<Settings> =>
  invoke("set_settings", { settings });

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

/** Calls `onOpen` when the global shortcut asks for the quick switcher. */
export function onSwitcherRequested(onOpen: () => void): Promise<UnlistenFn> {
  return listen("open-switcher", () => onOpen());
}

/** A sign-in to show while `addAccount` or `signInAgain` waits for the person: a device
 * code, or the browser page the backend opened. */
export function onSignIn(onShow: (signIn: SignInView) => void): Promise<UnlistenFn> {
  return listen<SignInView>("sign-in", (event) => onShow(event.payload));
}

/** A copy made outside the window (from the tray), so the clipboard bar can count down. */
export function onCopiedElsewhere(
  onCopy: (copy: { account: string; receipt: CopyReceipt }) => void,
): Promise<UnlistenFn> {
  return listen<{ account: string; receipt: CopyReceipt }>("copied", (event) =>
    onCopy(event.payload),
  );
}
