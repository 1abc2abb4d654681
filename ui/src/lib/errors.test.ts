import { describe, expect, it } from "vitest";
import coreErrors from "../../../crates/core/src/error.rs?raw";
import accountCommands from "../../../src-tauri/src/commands/accounts.rs?raw";
import callCommands from "../../../src-tauri/src/commands/calls.rs?raw";
import copyCommands from "../../../src-tauri/src/commands/copy.rs?raw";
import inspectorCommands from "../../../src-tauri/src/commands/inspector.rs?raw";
import settings from "../../../src-tauri/src/settings.rs?raw";
import { explain, knownCodes } from "./errors";

/** The codes the core's Error type and the desktop shell can send. */
function backendCodes(): string[] {
  const sources = [
    coreErrors,
    accountCommands,
    callCommands,
    copyCommands,
    inspectorCommands,
    settings,
  ];
  const codes = new Set<string>();
  for (const text of sources) {
    for (const m of text.matchAll(/=> "([a-z_]+)",/g)) codes.add(m[1] ?? "");
    for (const m of text.matchAll(/FailureView::(?:new|invalid)\(\s*"([a-z_]+)"/g))
      codes.add(m[1] ?? "");
  }
  return [...codes];
}

describe("the error table", () => {
  it("has words for every code the backend can send", () => {
    const codes = backendCodes();
    expect(codes.length).toBeGreaterThan(20);
    const missing = codes.filter((c) => !knownCodes().includes(c));
    expect(missing).toEqual([]);
  });

  it("keeps the backend's message as the detail and names the field", () => {
    const explained = explain({
      code: "invalid_account",
      message: "name: an account named `a` already exists",
      field: "name",
    });
    expect(explained.title).toBe("Check the form");
    expect(explained.detail).toContain("already exists");
    expect(explained.field).toBe("name");
  });

  it("turns a thrown error that is no failure into an IPC problem", () => {
    const explained = explain(new Error("window closed"));
    expect(explained.code).toBe("ipc");
    expect(explained.detail).toBe("window closed");
  });

  it("gives an unknown code a generic headline, not nothing", () => {
    expect(explain({ code: "new_thing", message: "m" }).title).toBe("Something went wrong");
  });
});
