// Against a real django-oauth-toolkit (PyPI, scripts/real-servers/dot.sh): an account
// signed in by a person in real Chromium on Django's own login page (authorization code with
// PKCE, any loopback port, opaque rotating tokens, revoked on removal), and a service by client
// credentials, whose wrong secret blames the client, not a password.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import {
  freePorts,
  inChromium,
  ok,
  scratch,
  serverScript,
  signingIn,
  tokenvault,
} from "./support.mjs";

const home = scratch("dot-vault");
const serverDir = scratch("dot-server");
let base;

describe("django-oauth-toolkit", () => {
  before(async () => {
    serverScript("dot.sh", ["install"]);
    const [port] = await freePorts(1);
    base = serverScript("dot.sh", ["start", serverDir, String(port)]).split("\n").pop();
  });

  after(() => {
    serverScript("dot.sh", ["stop", serverDir]);
    rmSync(home, { recursive: true, force: true });
    rmSync(serverDir, { recursive: true, force: true });
  });

  it("adds an account signed in by alice in Chromium on Django's login page, refreshes it, and revokes it on removal", async () => {
    const args = ["account", "add", "web", "--preset", "oidc", "--base-url", base];
    args.push("--client-id", "tokenvault", "--no-browser");
    for (const set of [
      "login.path=/o/authorize/",
      "login.token_path=/o/token/",
      "refresh.path=/o/token/",
      "login.fields.scope=read",
      "oauth.revocation_path=/o/revoke_token/",
    ]) {
      args.push("--set", set);
    }
    const signing = await signingIn(home, args, (line) => line.startsWith("http"));
    await inChromium(async (tab) => {
      await tab.goto(signing.line);
      await tab.fill("#id_username", "alice");
      await tab.fill("#id_password", "alice-password");
      await Promise.all([
        tab.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback/),
        tab.click("#login-submit"),
      ]);
      assert.match(await tab.textContent("body"), /You can close this tab/);
    });
    assert.equal(await signing.exit(), 0, signing.said.join("\n"));

    const token = ok(home, ["token", "web"]);
    assert.doesNotMatch(token, /^ey/, "the toolkit's tokens are opaque");
    const renewed = ok(home, ["token", "web", "--force-refresh"]);
    assert.notEqual(renewed, token, "the refresh rotated the tokens");
    const removed = tokenvault(home, ["account", "remove", "web"]);
    assert.equal(removed.status, 0, removed.stderr);
    assert.match(removed.stderr, /its server revoked its token/);
  });

  it("adds a service by client credentials that renews alone, introspects its opaque token, and blames the client for a wrong secret", async () => {
    const args = (name) => [
      "account",
      "add",
      name,
      "--preset",
      "oauth2-client-credentials",
      "--base-url",
      base,
      "--client-id",
      "reporting",
      "--client-secret-stdin",
      "--set",
      "login.path=/o/token/",
      "--set",
      "oauth.introspection_path=/o/introspect/",
    ];
    ok(home, args("reports"), "reporting-secret\n");
    const token = ok(home, ["token", "reports"]);
    const renewed = ok(home, ["token", "reports", "--force-refresh"]).trim();
    assert.notEqual(renewed, token);

    // The token is opaque: inspect asks the server about it (RFC 7662), as the client.
    const inspected = ok(home, ["inspect", "--account", "reports"]);
    assert.match(inspected, /^ACTIVE, says http:\/\/127\.0\.0\.1:\d+\/o\/introspect\//, inspected);
    assert.match(inspected, /client: +reporting/);
    assert.match(inspected, /scope: +read/);
    assert.doesNotMatch(inspected, new RegExp(renewed), "the token itself is not shown");
    // Revoked at the server: inspect says so, and exits 3.
    const revoked = await fetch(`${base}/o/revoke_token/`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from("reporting:reporting-secret").toString("base64")}` },
      body: new URLSearchParams({ token: renewed }),
    });
    assert.equal(revoked.status, 200);
    const inactive = tokenvault(home, ["inspect", "--account", "reports"]);
    assert.equal(inactive.status, 3, inactive.stderr);
    assert.match(inactive.stdout, /^NOT ACTIVE/);

    const wrong = tokenvault(home, args("wrong"), "not-the-secret\n");
    assert.equal(wrong.status, 3, wrong.stderr);
    assert.match(wrong.stderr, /client_rejected/);
    assert.doesNotMatch(wrong.stderr, /not-the-secret/);
  });
});
