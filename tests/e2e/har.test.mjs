// An account from a HAR file that real Chromium recorded while logging in to the demo API's
// Finvera dialect and renewing its token there: the login and the refresh are read from the
// recording (the refresh sends the DT_REFRESH_TOKEN cookie back), and nothing of the file's
// password, cookies or tokens is kept in the vault.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { endTree } from "./processes.mjs";
import { startDemoApi, target } from "./support.mjs";

const { chromium } = await import(
  new URL("../../ui/node_modules/playwright-core/index.mjs", import.meta.url).href
);

const PASSWORD = "finvera-demo-password";

/** Every file under `folder`. */
function filesUnder(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("an account from a HAR file recorded by Chromium", () => {
  let demo;
  let folder;

  before(async () => {
    demo = await startDemoApi("--access-ttl", "300");
    folder = mkdtempSync(join(tmpdir(), "tokenvault-har-"));
  });

  after(async () => {
    await endTree(demo?.server);
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it("makes the login and its cookie refresh from the recording, and keeps no secret of it", async () => {
    const har = join(folder, "finvera.har");
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    });
    let seen;
    try {
      const context = await browser.newContext({ recordHar: { path: har, content: "embed" } });
      const page = await context.newPage();
      await page.goto(`${demo.address}/_demo/health`);
      seen = await page.evaluate(async (password) => {
        const login = await fetch("/finvera/kms/api/v1/auth/token", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: "analyst@finvera.demo", password }),
        });
        const refresh = await fetch("/finvera/kms/api/v1/auth/refresh", { method: "POST" });
        return [login.status, refresh.status];
      }, PASSWORD);
      await context.close();
    } finally {
      await browser.close();
    }
    assert.deepEqual(seen, [200, 200], "the page logged in and renewed its token");
    assert.ok(readFileSync(har, "utf8").includes(PASSWORD), "the recording holds the password");

    const home = join(folder, "vault");
    const tokenvault = (args, input) =>
      spawnSync(target("tokenvault"), ["--home", home, ...args], { input, encoding: "utf8" });
    const printed = tokenvault(["account", "add", "fin", "--from-har", har, "--print-profile"]);
    assert.equal(printed.status, 0, printed.stderr);
    assert.match(printed.stdout, /# - access token: the cookie `DT_AUTH_TOKEN`/);
    assert.match(
      printed.stdout,
      /# - refresh: POST \/finvera\/kms\/api\/v1\/auth\/refresh with the refresh token in the `DT_REFRESH_TOKEN` cookie, as entry \d+ did/,
    );
    const added = tokenvault(
      ["account", "add", "fin", "--from-har", har, "--password-stdin"],
      `${PASSWORD}\n`,
    );
    assert.equal(added.status, 0, added.stderr);
    const counts = async () =>
      (await (await fetch(`${demo.address}/_demo/counts`)).json()).finvera ?? {};
    const before = await counts();
    const renewed = tokenvault(["token", "fin", "--force-refresh"]);
    assert.equal(renewed.status, 0, renewed.stderr);
    const after = await counts();
    assert.equal(after.refresh, (before.refresh ?? 0) + 1, "renewed by the recorded refresh");
    assert.equal(after.login, before.login, "not by a new login");

    const cookies = [
      ...readFileSync(har, "utf8").matchAll(/DT_(?:AUTH|REFRESH)_TOKEN=([\w.-]+)/g),
    ].map((m) => m[1]);
    assert.ok(cookies.length > 0, "the recording holds the token cookies");
    for (const file of filesUnder(home)) {
      const content = readFileSync(file);
      for (const secret of [PASSWORD, ...cookies, renewed.stdout.trim()]) {
        assert.ok(!content.includes(secret), `a secret of the recording is in ${file}`);
      }
    }
  });
});
