// The types that cross IPC are generated from the Rust types (ipc.ts, `./dev types`);
// this file adds the few that live in the window only.
export type {
  AccountDetails,
  AccountForm,
  AccountView,
  AgentState,
  AppInfo,
  AuditEvent,
  AuditKind,
  CopyFormat,
  CopyReceipt,
  CreatedPrivateToken,
  CurlDraftView,
  CurlForm,
  Density,
  ErrorCode,
  Failure,
  FailureCode,
  FormSecrets,
  IntrospectionView,
  LoginPreview,
  OttVerdict,
  PrivateToken,
  ProfileView,
  ProxyView,
  RemovedView,
  RenewalOutcome,
  Report,
  Settings,
  ShortcutStatus,
  SignInView,
  TeamSyncView,
  TeamView,
  Theme,
  TokenState,
  ValidationView,
} from "./ipc";

export type KeyInput =
  | { kind: "secret"; value: string }
  | { kind: "pem"; value: string }
  | { kind: "jwks"; value: string };
