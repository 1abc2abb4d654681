// Against a real Directus 11 (npm, scripts/real-servers/directus.sh) whose editor has TOTP
// two-factor login on: the `directus` preset with the TOTP secret kept in the vault logs in,
// refreshes, and logs in again by itself with a fresh code; a wrong TOTP secret is a refused
// code, not a wrong password, and the secret is not repeated.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { freePorts, ok, scratch, serverScript, tokenvault } from "./support.mjs";

const home = scratch("directus-vault");
const serverDir = scratch("directus-server");
let base;
let totpSecret;

/** Resolves once the clock has entered the next whole second. */
async function nextSecond() {
  const now = Math.floor(Date.now() / 1000);
  while (Math.floor(Date.now() / 1000) === now) {
    await new Promise((tick) => setTimeout(tick, 20));
  }
}

/** `account add NAME` for the editor, password and TOTP secret read from stdin. */
const add = (name) => [
  "account",
  "add",
  name,
  "--preset",
  "directus",
  "--base-url",
  base,
  "--username",
  "editor@example.com",
  "--password-stdin",
  "--otp",
  "totp",
  "--totp-secret-stdin",
];

describe("Directus with two-factor login", () => {
  before(async () => {
    serverScript("directus.sh", ["install"]);
    const [port] = await freePorts(1);
    [base, totpSecret] = serverScript("directus.sh", ["start", serverDir, String(port)]).split(
      "\n",
    );
  });

  after(() => {
    serverScript("directus.sh", ["stop", serverDir]);
    rmSync(home, { recursive: true, force: true });
    rmSync(serverDir, { recursive: true, force: true });
  });

  it("logs in with a code made from the kept TOTP secret, refreshes, and logs in again by itself", async () => {
    ok(home, add("editor"), `editor-password\n${totpSecret}\n`);
    const token = ok(home, ["token", "editor"]);
    // Directus's tokens carry no id: two issued in the same second are the same text.
    await nextSecond();
    const refreshed = ok(home, ["token", "editor", "--force-refresh"]);
    assert.notEqual(refreshed, token);
    // A new login needs a new code: the vault makes it, waiting for the next step if the
    // last login used this one.
    const login = tokenvault(home, ["login", "editor", "--json"]);
    assert.equal(login.status, 0, login.stderr);
    assert.equal(JSON.parse(login.stdout).name, "editor");
  });

  it("says a wrong TOTP secret is a refused code, and never repeats the secret", () => {
    const wrongSecret = "JBSWY3DPEHPK3PXP";
    const refused = tokenvault(home, add("wrong"), `editor-password\n${wrongSecret}\n`);
    assert.equal(refused.status, 3, refused.stderr);
    assert.match(refused.stderr, /otp_rejected/);
    assert.doesNotMatch(refused.stderr, new RegExp(wrongSecret));
    assert.doesNotMatch(refused.stderr, /editor-password/);
  });
});
