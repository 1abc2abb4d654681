// Against a real Glewlwyd (Debian's package, scripts/real-servers/glewlwyd.sh): an account
// from the issuer alone signed in by a person in real Chromium on Glewlwyd's own login page,
// one by device code approved as the person would, and one by client credentials; each serves
// and renews tokens, the browser one is verified with the discovered RS256 keys, and both
// person accounts ask for a sign-in again when the server has forgotten their grant; the
// service's token is revoked at the server when its account is removed.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import {
  claimsOf,
  freePorts,
  inChromium,
  ok,
  scratch,
  serverScript,
  signingIn,
  tokenvault,
} from "./support.mjs";

const home = scratch("glewlwyd-vault");
const serverDir = scratch("glewlwyd-server");
let port;
let callbackPort;
let issuer;

/** A fresh Glewlwyd on `port`: every grant it gave before is forgotten. */
function startGlewlwyd() {
  issuer = serverScript("glewlwyd.sh", ["start", serverDir, String(port)], {
    // Glewlwyd matches redirect URIs exactly, port included: this run's callback port.
    GLEWLWYD_REDIRECT_URIS: `http://127.0.0.1:${callbackPort}/callback`,
    GLEWLWYD_DEVICE_INTERVAL: "1",
  });
}

/** Alice signs in on Glewlwyd's login page in Chromium, from the page the command printed. */
async function aliceSignsIn(page) {
  await inChromium(async (tab) => {
    await tab.goto(page);
    await tab.fill("#username", "alice");
    await tab.fill("#password", "alice-password");
    await tab.click("#loginbut");
    await Promise.all([
      tab.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback/),
      tab.getByRole("button", { name: "Continue" }).click(),
    ]);
    assert.match(await tab.textContent("body"), /You can close this tab/);
  });
}

/** Alice approves a device code: signed in to Glewlwyd, she opens its device page. */
async function aliceApproves(code) {
  const login = await fetch(`http://127.0.0.1:${port}/api/auth/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "alice", password: "alice-password" }),
  });
  assert.equal(login.status, 200, "alice signs in to Glewlwyd");
  const cookie = login.headers.get("set-cookie").split(";")[0];
  const approved = await fetch(`${issuer}/device?code=${encodeURIComponent(code)}&g_continue`, {
    headers: { cookie },
    redirect: "manual",
  });
  assert.match(approved.headers.get("location") ?? "", /prompt=deviceComplete/);
}

const browserArgs = (verb, name) => [
  ...(verb === "add"
    ? ["account", "add", name, "--issuer", issuer, "--client-id", "tokenvault"]
    : ["login", name]),
  ...(verb === "add" ? ["--set", `login.redirect_port=${callbackPort}`] : []),
  "--no-browser",
];

async function signInInBrowser(verb, name) {
  const signing = await signingIn(home, browserArgs(verb, name), (l) => l.startsWith("http"));
  await aliceSignsIn(signing.line);
  assert.equal(await signing.exit(), 0, signing.said.join("\n"));
}

async function signInByDevice(verb, name) {
  const args =
    verb === "add"
      ? ["account", "add", name, "--preset", "oauth2-device", "--issuer", issuer]
      : ["login", name];
  if (verb === "add") args.push("--client-id", "tokenvault");
  const signing = await signingIn(home, args, (l) => l.includes("enter the code"));
  const code = /enter the code (\S+)/.exec(signing.line)[1];
  await aliceApproves(code);
  assert.equal(await signing.exit(), 0, signing.said.join("\n"));
}

describe("Glewlwyd", () => {
  before(async () => {
    [port, callbackPort] = await freePorts(2);
    startGlewlwyd();
  });

  after(() => {
    serverScript("glewlwyd.sh", ["stop", serverDir]);
    rmSync(home, { recursive: true, force: true });
    rmSync(serverDir, { recursive: true, force: true });
  });

  it("adds an account from the issuer alone, signed in by alice in Chromium, its RS256 tokens verified with the discovered keys", async () => {
    await signInInBrowser("add", "work");
    const token = ok(home, ["token", "work"]);
    assert.equal(claimsOf(token).iss, issuer);
    const inspected = ok(home, ["inspect", "--account", "work"]);
    assert.match(inspected, /^VERIFIED with .*\(RS256\)/, inspected);
    const renewed = ok(home, ["token", "work", "--force-refresh"]);
    assert.notEqual(renewed, token, "the refresh gave a new token");
  });

  it("adds an account by device code, approved by alice, and refreshes it", async () => {
    await signInByDevice("add", "laptop");
    const token = ok(home, ["token", "laptop"]);
    const renewed = ok(home, ["token", "laptop", "--force-refresh"]);
    assert.notEqual(renewed, token);
  });

  it("adds a service by client credentials, which renews with nobody there", async () => {
    const args = ["account", "add", "reports", "--preset", "oauth2-client-credentials"];
    args.push("--issuer", issuer, "--client-id", "reporting", "--client-secret-stdin");
    args.push("--set", "login.fields.scope=reports");
    ok(home, args, "reporting-secret\n");
    const token = ok(home, ["token", "reports"]);
    const renewed = ok(home, ["token", "reports", "--force-refresh"]);
    assert.notEqual(renewed, token);
    assert.equal(claimsOf(renewed).client_id, "reporting");
  });

  it("asks for a sign-in again when the server has forgotten the grant, and a person gives one", async () => {
    startGlewlwyd(); // a new instance on the same port: the refresh tokens held are unknown to it
    for (const name of ["work", "laptop"]) {
      const refused = tokenvault(home, ["token", name, "--force-refresh"]);
      assert.equal(refused.status, 3, refused.stderr);
      assert.match(refused.stderr, /needs you to sign in again/);
      assert.match(refused.stderr, /sign_in_required/);
    }
    await signInInBrowser("login", "work");
    await signInByDevice("login", "laptop");
    for (const name of ["work", "laptop"]) ok(home, ["token", name]);
    // The service never needed anybody.
    ok(home, ["token", "reports", "--force-refresh"]);
  });

  it("revokes the service's token at Glewlwyd when the account is removed, which its introspection then confirms", async () => {
    const token = ok(home, ["token", "reports"]).trim();
    const removed = tokenvault(home, ["account", "remove", "reports"]);
    assert.equal(removed.status, 0, removed.stderr);
    assert.match(removed.stderr, /its server revoked its token/);
    const introspected = await fetch(`${issuer}/introspect`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from("reporting:reporting-secret").toString("base64")}`,
      },
      body: new URLSearchParams({ token }),
    });
    assert.equal(introspected.status, 200);
    assert.equal((await introspected.json()).active, false, "the token is no longer active");
  });
});
