// The browser tests' stand-in for src/lib/backend.ts: the same exports over an in-page
// fake vault. Tests steer it through `window.tokenvaultMock` (see fixtures.ts): they seed
// accounts, make calls fail with a given {code, message, field}, and read what was called.
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
  Failure,
  FailureCode,
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
} from "../../src/lib/types";

export type UnlistenFn = () => void;

interface MockState {
  info: AppInfo;
  accounts: AccountView[];
  profiles: ProfileView[];
  privateTokens: Record<string, PrivateToken[]>;
  audit: AuditEvent[];
  settings: Settings;
  /** Command name -> the failure it answers with, once. */
  failNext: Record<string, Failure>;
  /** Every call made, with its arguments (never checked for secrets: it is a fake). */
  calls: { command: string; args: unknown }[];
  clipboard: string | null;
  agent: AgentState;
  /** A browser sign-in waits until it is cancelled, as one whose person never signs in. */
  holdSignIn: boolean;
  /** What removing an account tells its server, by account id (default: no revocation). */
  revocation: Record<string, RemovedView>;
  /** What an account's server says of its opaque token, by account id. */
  introspection: Record<string, IntrospectionView>;
  /** The local proxies running, by account id: their addresses. */
  proxies: Record<string, string>;
  /** The connected teams. */
  teams: TeamView[];
  /** How the global shortcut stands. */
  shortcut: ShortcutStatus;
  /** How the next sync of a team ends, when not `ok` (then it is used once). */
  nextSync: { outcome: string; message: string } | null;
}

const now = Date.now();

export const profiles: ProfileView[] = [
  {
    id: "prive",
    name: "Privé",
    description: "Login; no refresh.",
    password: true,
    client: false,
    clientSecret: false,
    otp: false,
    person: false,
    browser: false,
    refresh: false,
    validate: false,
    ott: false,
    privateTokens: false,
  },
  {
    id: "traderevolution",
    name: "TraderEvolution",
    description: "Login and refresh pair.",
    password: true,
    client: false,
    clientSecret: false,
    otp: false,
    person: false,
    browser: false,
    refresh: true,
    validate: true,
    ott: true,
    privateTokens: false,
  },
  {
    id: "private-tokens",
    name: "Private tokens",
    description: "Long-living tokens.",
    password: true,
    client: false,
    clientSecret: false,
    otp: false,
    person: false,
    browser: false,
    refresh: false,
    validate: false,
    ott: false,
    privateTokens: true,
  },
  {
    id: "directus",
    name: "Directus",
    description: "JSON login with an optional two-factor code.",
    password: true,
    client: false,
    clientSecret: false,
    otp: true,
    person: false,
    browser: false,
    refresh: true,
    validate: false,
    ott: false,
    privateTokens: false,
  },
  {
    id: "oauth2-client-credentials",
    name: "OAuth 2.0 client credentials",
    description: "A service account with a client id and secret, no user.",
    password: false,
    client: true,
    clientSecret: true,
    otp: false,
    person: false,
    browser: false,
    refresh: false,
    validate: false,
    ott: false,
    privateTokens: false,
  },
  {
    id: "oauth2-device",
    name: "OAuth 2.0 device code",
    description: "Approve a code in any browser.",
    password: false,
    client: true,
    clientSecret: false,
    otp: false,
    person: true,
    browser: false,
    refresh: true,
    validate: false,
    ott: false,
    privateTokens: false,
  },
  {
    id: "oidc",
    name: "OAuth 2.0 browser sign-in",
    description: "Sign in on the server's page in the system browser.",
    password: false,
    client: true,
    clientSecret: false,
    otp: false,
    person: true,
    browser: true,
    refresh: true,
    validate: false,
    ott: false,
    privateTokens: false,
  },
];

function account(
  id: string,
  name: string,
  environment: string,
  profile: string,
  ttlMs: number,
): AccountView {
  return {
    id,
    name,
    environment,
    profile,
    baseUrl: `https://${profile}.example`,
    identity: `${id}@example.com`,
    team: null,
    state: "fresh",
    accessExpiresAt: now + ttlMs,
    accessObtainedAt: now - 1000,
    refreshExpiresAt: null,
    renewAt: now + ttlMs * 0.8,
    lastRenewal: "logged-in",
    failure: null,
  };
}

const state: MockState = {
  info: {
    version: "0.1.0",
    mode: "vault",
    opening: false,
    demoApi: null,
    secretStore: "OS keyring",
    dataFolder: "/home/ana/.local/share/tokenvault",
    problem: null,
  },
  accounts: [
    account("prive-uat", "Privé UAT", "UAT", "prive", 180_000),
    account("te-uat", "TE UAT", "UAT", "traderevolution", 150_000),
    account("te-prod", "TE Production", "Production", "traderevolution", 40_000),
    account("pt-ops", "PT ops", "Production", "private-tokens", 240_000),
  ],
  profiles,
  privateTokens: {},
  audit: [
    { at: new Date(now - 5000).toISOString(), account: "te-uat", kind: "login", outcome: "ok" },
    {
      at: new Date(now - 3000).toISOString(),
      account: "prive-uat",
      kind: "refresh",
      outcome: "server_error",
    },
  ],
  settings: {
    refreshLeadSeconds: 300,
    clipboardClearSeconds: 30,
    theme: "system",
    density: "comfortable",
    closeToTray: true,
    shortcut: "Ctrl+Shift+Space",
    lockAgentOnScreenLock: true,
    window: null,
  },
  agent: { serving: true, locked: false },
  failNext: {},
  holdSignIn: false,
  introspection: {},
  proxies: {},
  teams: [],
  nextSync: null,
  shortcut: { active: "Ctrl+Shift+Space", problem: null },
  revocation: {},
  calls: [],
  clipboard: null,
};

// The page's query string sets how the vault opened: `?problem=CODE` or `?opening=1`.
const query = new URLSearchParams(window.location.search);
const problem = query.get("problem");
if (problem) {
  state.info.problem = {
    code: problem as FailureCode,
    message: "no safe place for secrets: the OS keyring did not answer within 30 s",
  };
}
state.info.opening = query.has("opening");
// `?accounts=N`: N generated accounts, for the benchmark of a large vault.
const many = Number(query.get("accounts") ?? 0);
if (many > 0) {
  const environments = ["UAT", "Staging", "Production", "Demo"];
  state.accounts = Array.from({ length: many }, (_, i) =>
    account(
      `acct-${i}`,
      `Account ${String(i).padStart(4, "0")}`,
      environments[i % environments.length] as string,
      profiles[i % profiles.length]?.id ?? "prive",
      30_000 + ((i * 7919) % 3_600_000),
    ),
  );
}

const accountListeners = new Set<(accounts: AccountView[]) => void>();

declare global {
  interface Window {
    tokenvaultMock: {
      state: MockState;
      /** Replaces the accounts and tells the window, as the backend's event does. */
      setAccounts(accounts: AccountView[]): void;
      /** Does what the global shortcut does. */
      openSwitcher(): void;
    };
  }
}

const switcherListeners = new Set<() => void>();

window.tokenvaultMock = {
  state,
  openSwitcher() {
    for (const listener of switcherListeners) listener();
  },
  setAccounts(accounts) {
    state.accounts = accounts;
    for (const listener of accountListeners) listener(accounts);
  },
};

const JWT_REPORT: Report = {
  header: { alg: "HS256", typ: "JWT" },
  claims: { sub: "bo.trader", roles: ["BO_ADMIN"], exp: Math.floor(now / 1000) + 150 },
  times: [{ claim: "exp", at: new Date(now + 150_000).toISOString(), relative: "in 2 min" }],
  roles: ["BO_ADMIN"],
  identity: "bo.trader",
  expired: false,
  verification: { status: "unverified", by: null, algorithm: null, reason: null },
};

/** Answers a call: the failure set for it, if any, else `value()`. */
async function answer<T>(command: string, args: unknown, value: () => T): Promise<T> {
  state.calls.push({ command, args });
  await new Promise((resolve) => setTimeout(resolve, 20));
  const failure = state.failNext[command];
  if (failure) {
    delete state.failNext[command];
    throw failure;
  }
  return value();
}

function byId(id: string): AccountView {
  const found = state.accounts.find((a) => a.id === id);
  if (!found) throw { code: "unknown_account", message: `no account named \`${id}\`` };
  return found;
}

export const listAccounts = () => answer("list_accounts", {}, () => state.accounts);
export const appInfo = () => answer("app_info", {}, () => state.info);
export const presets = () => answer("presets", {}, () => state.profiles);

export const accountDetails = (id: string): Promise<AccountDetails> =>
  answer("account_details", { id }, () => {
    const found = byId(id);
    const profile = state.profiles.find((p) => p.id === found.profile) ?? profiles[0];
    return { profile: profile as ProfileView, report: JWT_REPORT };
  });

const preview: LoginPreview = {
  accessExpiresAt: now + 150_000,
  refreshToken: true,
  refreshExpiresAt: now + 86_400_000,
  report: JWT_REPORT,
};

export const testLogin = (form: AccountForm, secrets: FormSecrets) =>
  answer("test_login", { form, secrets }, () => preview);

export const addAccount = async (form: AccountForm, secrets: FormSecrets) => {
  if (form.preset === "oauth2-device") await showDeviceSignIn();
  if (form.preset === "oidc") await showBrowserSignIn();
  return addAccountNow(form, secrets);
};

const addAccountNow = (form: AccountForm, secrets: FormSecrets) =>
  answer("add_account", { form, secrets }, () => {
    const id = form.name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    window.tokenvaultMock.setAccounts([
      ...state.accounts,
      account(id, form.name, form.environment, form.preset ?? "custom", 150_000),
    ]);
    return { id, login: preview };
  });

export const draftFromCurl = (form: CurlForm, password: string): Promise<CurlDraftView> =>
  answer("draft_from_curl", { form, password }, () => ({
    profileSource: `# ${form.name} (from curl)\nid = "curl-te"\nname = "${form.name} (from curl)"\n`,
    baseUrl: "https://te.example",
    identity: "bo.trader",
    decisions: [
      "login: POST /auth/token below https://te.example, a JSON body",
      "access token: the JSON field `access_token`, a JWT expiring in 5 min",
      form.tryRefresh
        ? "refresh: GET /auth/token/refresh with the refresh token in a `token` header: it answered a new access token (try 3 of at most 3)"
        : "refresh: not tried (allow it to try up to three usual refresh calls); renewed by logging in again",
    ],
  }));

export const accountForm = (id: string): Promise<AccountForm> =>
  answer("account_form", { id }, () => {
    const found = byId(id);
    return {
      name: found.name,
      environment: found.environment,
      preset: found.profile,
      profileSource: null,
      profileFileName: null,
      baseUrl: found.baseUrl,
      issuer: null,
      identity: found.identity,
      clientId: null,
      secondFactor: null,
      allowPlainHttp: false,
      caCertPem: null,
    };
  });

export const editAccount = (id: string, form: AccountForm, secrets: FormSecrets) =>
  answer("edit_account", { id, form, secrets }, () => {
    window.tokenvaultMock.setAccounts(
      state.accounts.map((a) =>
        a.id === id ? { ...a, name: form.name, environment: form.environment } : a,
      ),
    );
    return { id, login: preview };
  });

const signInListeners = new Set<(signIn: SignInView) => void>();

/** What a browser sign-in shows when no browser could be started; the person signs in a
 * moment later. */
async function showBrowserSignIn(): Promise<void> {
  for (const listener of signInListeners) {
    listener({
      kind: "browser",
      url: "https://idp.example/authorize?response_type=code&client_id=tokenvault&state=s&code_challenge=c",
      opened: false,
      expiresAt: Date.now() + 300_000,
    });
  }
  if (state.holdSignIn) {
    await new Promise<void>((cancelled) => {
      cancelWaiting = cancelled;
    });
    throw { code: "cancelled", message: "the sign-in was cancelled" };
  }
  await new Promise((done) => setTimeout(done, 400));
}

/** Ends a held sign-in, as the backend's cancel does. */
let cancelWaiting: (() => void) | null = null;

export const cancelSignIn = () =>
  answer("cancel_sign_in", {}, () => {
    cancelWaiting?.();
    cancelWaiting = null;
  });

/** What a device sign-in shows; the person approves it a moment later. */
async function showDeviceSignIn(): Promise<void> {
  for (const listener of signInListeners) {
    listener({
      kind: "device",
      userCode: "WDJB-MJHT",
      verificationUri: "https://idp.example/device",
      verificationUriComplete: "https://idp.example/device?user_code=WDJB-MJHT",
      expiresAt: Date.now() + 600_000,
    });
  }
  await new Promise((done) => setTimeout(done, 400));
}

export function onSignIn(onShow: (signIn: SignInView) => void): Promise<UnlistenFn> {
  signInListeners.add(onShow);
  return Promise.resolve(() => signInListeners.delete(onShow));
}

export const signInAgain = async (id: string) => {
  await showDeviceSignIn();
  return answer("sign_in_again", { id }, () => {
    window.tokenvaultMock.setAccounts(
      state.accounts.map((a) =>
        a.id === id ? { ...a, state: "fresh" as const, failure: null } : a,
      ),
    );
  });
};

export const logInWithCode = (id: string, code: string) =>
  answer("log_in_with_code", { id, code }, () => {
    window.tokenvaultMock.setAccounts(
      state.accounts.map((a) =>
        a.id === id ? { ...a, state: "fresh" as const, failure: null } : a,
      ),
    );
  });

export const removeAccount = (id: string) =>
  answer("remove_account", { id }, (): RemovedView => {
    const name = byId(id).name;
    window.tokenvaultMock.setAccounts(state.accounts.filter((a) => a.id !== id));
    return state.revocation[id] ?? { name, server: "not_offered", detail: null };
  });

function receipt(format: CopyFormat): CopyReceipt {
  const seconds = state.settings.clipboardClearSeconds;
  return {
    format,
    expiresAt: null,
    clearsAt: Date.now() + seconds * 1000,
    clearsInSeconds: seconds,
  };
}

export const copyToken = (id: string, format: CopyFormat) =>
  answer("copy_token", { id, format }, () => {
    byId(id);
    state.clipboard = `${format}:${id}`;
    return receipt(format);
  });

export const copyPrivateToken = (id: string, tokenId: string) =>
  answer("copy_private_token", { id, tokenId }, () => {
    state.clipboard = `private:${tokenId}`;
    return receipt("raw");
  });

export const clearClipboard = () =>
  answer("clear_clipboard", {}, () => {
    const had = state.clipboard !== null;
    state.clipboard = null;
    return had;
  });

export const validateAccount = (id: string): Promise<ValidationView> =>
  answer("validate_account", { id }, () => ({
    identity: byId(id).identity,
    details: { username: byId(id).identity },
  }));

export const verifyOtt = (id: string, ott: string): Promise<OttVerdict> =>
  answer("verify_ott", { id, ott }, () =>
    ott === "ott-good"
      ? { valid: true, identity: "bo.trader", reason: null }
      : { valid: false, identity: null, reason: "already used" },
  );

export const listPrivateTokens = (id: string) =>
  answer("list_private_tokens", { id }, () => state.privateTokens[id] ?? []);

let created = 0;
export const createPrivateToken = (id: string, label: string, lifetimeSeconds: number) =>
  answer("create_private_token", { id, label, lifetimeSeconds }, (): CreatedPrivateToken => {
    created += 1;
    const info = { id: `pt-${created}`, label, expiresAt: Date.now() + lifetimeSeconds * 1000 };
    state.privateTokens[id] = [...(state.privateTokens[id] ?? []), info];
    return { info, token: `private-token-value-${created}` };
  });

export const revokePrivateToken = (id: string, tokenId: string) =>
  answer("revoke_private_token", { id, tokenId }, () => {
    state.privateTokens[id] = (state.privateTokens[id] ?? []).filter((t) => t.id !== tokenId);
  });

export const introspectAccount = (accountId: string) =>
  answer("introspect_account", { accountId }, () => state.introspection[accountId] ?? null);

export const inspectToken = (request: { token?: string; accountId?: string; key?: KeyInput }) =>
  answer("inspect_token", request, (): Report => {
    const token = request.token?.replace(/^Bearer /, "").trim();
    if (!request.accountId && !/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token ?? "")) {
      throw {
        code: "not_a_jwt",
        message: "this is not a readable JWT: not three parts",
        field: "token",
      };
    }
    if (request.key?.kind === "secret") {
      return {
        ...JWT_REPORT,
        verification: { status: "verified", by: "hmac-secret", algorithm: "HS256", reason: null },
      };
    }
    return JWT_REPORT;
  });

export const accountProxy = (id: string): Promise<ProxyView> =>
  answer("account_proxy", { id }, () => ({ accountId: id, url: state.proxies[id] ?? null }));

let nextPort = 8411;
export const setAccountProxy = (id: string, on: boolean): Promise<ProxyView> =>
  answer("set_account_proxy", { id, on }, () => {
    byId(id);
    if (on) state.proxies[id] ??= `http://127.0.0.1:${nextPort++}`;
    else delete state.proxies[id];
    return { accountId: id, url: state.proxies[id] ?? null };
  });

export const listTeams = (): Promise<TeamView[]> => answer("list_teams", {}, () => state.teams);

export const syncTeam = (name: string): Promise<TeamView> =>
  answer("sync_team", { name }, () => {
    const team = state.teams.find((t) => t.name === name);
    if (!team) throw { code: "invalid_account", message: `no team named \`${name}\` is connected` };
    const ended = state.nextSync ?? {
      outcome: "ok",
      message: `0 added, 0 updated, 0 removed, ${team.accounts} unchanged`,
    };
    state.nextSync = null;
    team.lastSync = { at: Date.now(), ...ended };
    return team;
  });

export const auditEvents = (limit = 200) =>
  answer("audit_events", { limit }, () => [...state.audit].reverse());

export const agentState = () => answer("agent_state", {}, () => state.agent);
export const windowPainted = (accounts: number) =>
  answer("window_painted", { accounts }, () => undefined);
export const setAgentLocked = (locked: boolean) =>
  answer("set_agent_locked", { locked }, () => {
    state.agent = { ...state.agent, locked };
    return state.agent;
  });

export const getSettings = () => answer("get_settings", {}, () => state.settings);

export const shortcutStatus = () => answer("shortcut_status", {}, () => state.shortcut);

export const setSettings = (settings: Settings) =>
  answer("set_settings", { settings }, () => {
    if (settings.clipboardClearSeconds < 5 || settings.clipboardClearSeconds > 600) {
      throw {
        code: "invalid_settings",
        message: "the clipboard-clear delay must be between 5 and 600 seconds",
        field: "clipboardClearSeconds",
      };
    }
    if (settings.shortcut !== state.settings.shortcut) {
      const keys = settings.shortcut.trim();
      state.shortcut =
        keys === "" ? { active: null, problem: null } : { active: keys, problem: null };
    }
    state.settings = settings;
    return settings;
  });

export function onAppInfoChanged(_onChange: (info: AppInfo) => void): Promise<UnlistenFn> {
  return Promise.resolve(() => {});
}

export function onAccountsChanged(
  onChange: (accounts: AccountView[]) => void,
): Promise<UnlistenFn> {
  accountListeners.add(onChange);
  return Promise.resolve(() => accountListeners.delete(onChange));
}

export function onSwitcherRequested(onOpen: () => void): Promise<UnlistenFn> {
  switcherListeners.add(onOpen);
  return Promise.resolve(() => switcherListeners.delete(onOpen));
}

export function onCopiedElsewhere(
  _onCopy: (copy: { account: string; receipt: CopyReceipt }) => void,
): Promise<UnlistenFn> {
  return Promise.resolve(() => {});
}
