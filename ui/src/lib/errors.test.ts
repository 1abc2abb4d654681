import { describe, expect, it } from "vitest";
import { explain, knownCodes } from "./errors";
import { FAILURE_CODES } from "./ipc";

describe("the error table", () => {
  it("has words for every code the backend can send", () => {
    const codes: string[] = FAILURE_CODES;
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
