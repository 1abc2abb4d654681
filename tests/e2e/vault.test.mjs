// End-to-end: the real app on a vault (not the demo), with accounts added from another
// process while it runs, against the demo API as a separate server.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { endTree } from "./processes.mjs";
import {
  addAccount as addVaultAccount,
  claimsOf,
  clipboardText,
  seconds,
  snap,
  startDemoApi,
  target,
} from "./support.mjs";
import { Driver } from "./webdriver.mjs";

// Real Chromium for the person's browser, through the Playwright the UI's browser tests use.
const { chromium } = await import(
  new URL("../../ui/node_modules/playwright-core/index.mjs", import.meta.url).href
);

const home = mkdtempSync(join(tmpdir(), "tokenvault-e2e-"));
const row = (id) => `[data-account-id="${id}"]`;
/** Access tokens live 20 s, so a renewal shows within the test's patience. */
const ACCESS_TTL = 20;

const startDemo = () => startDemoApi("--access-ttl", String(ACCESS_TTL));
const addAccount = (...args) => addVaultAccount(home, ...args);

async function rowState(driver, id) {
  const [row] = await driver.findAll(`[data-account-id="${id}"]`);
  return row ? driver.attribute(row, "data-state") : null;
}

describe("the app on a vault", () => {
  let demo;
  let driver;

  before(async () => {
    demo = await startDemo();
    addAccount(
      demo.address,
      "TE UAT",
      "traderevolution",
      "bo.trader",
      "traderevolution-demo-password",
    );
    addAccount(
      demo.address,
      "PT UAT",
      "private-tokens",
      "ops@private-tokens.demo",
      "private-tokens-demo-password",
    );
    driver = await Driver.start({
      application: target("tokenvault-desktop"),
      // The app's "system browser" is a no-op here: the test opens the page in Chromium
      // itself, as the person would, from the address the window shows.
      env: { TOKENVAULT_HOME: home, WEBKIT_DISABLE_DMABUF_RENDERER: "1", BROWSER: "true" },
    });
  });

  after(async () => {
    await driver?.stop();
    await endTree(demo?.server);
    rmSync(home, { recursive: true, force: true });
  });

  it("logs in to the vault's account and says where secrets are kept", async () => {
    await driver.waitFor(
      async () => (await rowState(driver, "te-uat")) === "fresh",
      15_000,
      "TE UAT fresh",
    );
    const [store] = await driver.findAll('[data-testid="secret-store"]');
    assert.equal(await driver.text(store), "Secrets: OS keyring");
  });

  it("shows an account that another process adds while it runs", async () => {
    addAccount(demo.address, "Prive UAT", "prive", "advisor@prive.demo", "prive-demo-password");
    await driver.waitFor(
      async () => (await rowState(driver, "prive-uat")) === "fresh",
      10_000,
      "the new account, logged in",
    );
  });

  it("adds an account through the form after a Test login, and shows it logged in", async () => {
    await driver.click(await driver.find('[data-testid="add-account"]'));
    await driver.type(await driver.find('[data-testid="f-name"]'), "TE desk two");
    await driver.click(
      await driver.find('[data-testid="f-preset"] option[value="traderevolution"]'),
    );
    await driver.type(
      await driver.find('[data-testid="f-base-url"]'),
      `${demo.address}/traderevolution`,
    );
    await driver.type(await driver.find('[data-testid="f-identity"]'), "bo.trader");
    await driver.type(
      await driver.find('[data-testid="f-password"]'),
      "traderevolution-demo-password",
    );
    await driver.click(await driver.find('[data-testid="test-login"]'));
    assert.match(
      await driver.textOf('[data-testid="login-preview"]'),
      /Login works.*a refresh token came with it/s,
    );
    await driver.click(await driver.find('[data-testid="save-account"]'));
    await driver.waitFor(
      async () => (await rowState(driver, "te-desk-two")) === "fresh",
      10_000,
      "the account added from the form, fresh",
    );
  });

  it("adds an account by device sign-in, showing the code until the person approves it", async () => {
    await driver.click(await driver.find('[data-testid="add-account"]'));
    await driver.type(await driver.find('[data-testid="f-name"]'), "Field laptop");
    await driver.click(await driver.find('[data-testid="f-preset"] option[value="oauth2-device"]'));
    await driver.type(
      await driver.find('[data-testid="f-base-url"]'),
      `${demo.address}/oauth2-device`,
    );
    await driver.type(await driver.find('[data-testid="f-client-id"]'), "tokenvault-device");
    await driver.click(await driver.find('[data-testid="save-account"]'));
    const code = await driver.textOf('[data-testid="device-code"]');
    const page = await driver.textOf('[data-testid="device-page"]');
    assert.match(code, /^[A-Z]{4}-[A-Z]{4}$/);
    // The person, in a browser: the server's own page takes the code and approves it.
    const approved = await fetch(page, {
      method: "POST",
      body: new URLSearchParams({
        user_code: code,
        username: "field.engineer",
        password: "device-demo-password",
        decision: "approve",
      }),
    });
    assert.equal(approved.status, 200, "the page took the approval");
    await driver.waitFor(
      async () => (await rowState(driver, "field-laptop")) === "fresh",
      30_000,
      "the account signed in by the person, fresh",
    );
    const listed = spawnSync(
      target("tokenvault"),
      ["--home", home, "--no-agent", "account", "list", "--json"],
      { encoding: "utf8" },
    );
    const field = JSON.parse(listed.stdout).find((a) => a.id === "field-laptop");
    assert.equal(field.identity, "field.engineer", "the account is whom the token is for");
  });

  it("adds an account by browser sign-in, the person signing in on the server's page in Chromium", async () => {
    await driver.click(await driver.find('[data-testid="add-account"]'));
    await driver.type(await driver.find('[data-testid="f-name"]'), "Support desk");
    await driver.click(await driver.find('[data-testid="f-preset"] option[value="oidc"]'));
    // The issuer alone: discovery finds the pages, the keys and revocation.
    await driver.type(await driver.find('[data-testid="f-issuer"]'), `${demo.address}/oidc`);
    await driver.type(await driver.find('[data-testid="f-client-id"]'), "tokenvault-browser");
    assert.equal(await driver.textOf('[data-testid="save-account"]'), "Sign in with browser");
    // A first sign-in, cancelled while it waits: its listener is closed, nothing is kept.
    await driver.click(await driver.find('[data-testid="save-account"]'));
    const abandoned = await driver.textOf('[data-testid="browser-page"]');
    const abandonedCallback = new URL(new URL(abandoned).searchParams.get("redirect_uri"));
    await driver.click(await driver.find('[data-testid="cancel-sign-in"]'));
    await driver.waitFor(
      async () => (await driver.findAll('[data-testid="browser-sign-in"]')).length === 0,
      10_000,
      "the cancelled sign-in gone from the form",
    );
    await assert.rejects(
      fetch(abandonedCallback),
      "the cancelled sign-in no longer listens for the browser",
    );
    await driver.click(await driver.find('[data-testid="save-account"]'));
    const page = await driver.textOf('[data-testid="browser-page"]');
    assert.match(page, /code_challenge_method=S256/);
    await snap(driver, "browser-sign-in");
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    });
    try {
      const tab = await browser.newPage();
      await tab.goto(page);
      await tab.fill('input[name="username"]', "desk.agent");
      await tab.fill('input[name="password"]', "browser-demo-password");
      await Promise.all([
        tab.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback/),
        tab.click('button[value="approve"]'),
      ]);
      const said = await tab.textContent("body");
      assert.match(said, /You can close this tab/, "the browser ends on the app's own page");
    } finally {
      await browser.close();
    }
    await driver.waitFor(
      async () => (await rowState(driver, "support-desk")) === "fresh",
      30_000,
      "the account signed in in the browser, fresh",
    );
    const listed = spawnSync(
      target("tokenvault"),
      ["--home", home, "--no-agent", "account", "list", "--json"],
      { encoding: "utf8" },
    );
    const desk = JSON.parse(listed.stdout).find((a) => a.id === "support-desk");
    assert.equal(desk.identity, "desk.agent", "the account is whom the token is for");

    // Removed from its panel: its server is told to revoke the token, and the window says so.
    await driver.click(await driver.find(`${row("support-desk")} [data-testid="account-open"]`));
    await driver.click(await driver.find(`${row("support-desk")} [data-testid="remove"]`));
    await driver.click(await driver.find(`${row("support-desk")} [data-testid="remove-confirm"]`));
    const notice = await driver.textOf('[data-testid="removed-notice"]');
    assert.match(notice, /Removed Support desk; its server revoked its token/);
    await driver.waitFor(
      async () => (await driver.findAll(row("support-desk"))).length === 0,
      10_000,
      "the removed account gone from the list",
    );
    await snap(driver, "removed-revoked");
    await driver.click(await driver.find('[data-testid="removed-notice"] button'));
  });

  it("shows a refresh happen in the account's countdown", async () => {
    const countdown = `${row("te-desk-two")} [data-testid="countdown"]`;
    let lowest = Number.POSITIVE_INFINITY;
    const jump = await driver.waitFor(
      async () => {
        const left = seconds(await driver.textOf(countdown));
        const [label] = await driver.findAll(`${row("te-desk-two")} [data-testid="renewal"]`);
        const renewal = label ? await driver.text(label) : "";
        if (renewal === "refreshed" && left > lowest + 5) return { from: lowest, to: left };
        lowest = Math.min(lowest, left);
        return null;
      },
      (ACCESS_TTL + 15) * 1000,
      "a refresh: the countdown jumps back up and the row says refreshed",
    );
    assert.ok(
      jump.to <= ACCESS_TTL,
      `a new ${ACCESS_TTL}-second token: ${jump.from} -> ${jump.to}`,
    );
  });

  it("verifies a one-time token as valid once, then as used", async () => {
    await driver.click(await driver.find(`${row("te-uat")} [data-testid="account-open"]`));
    await driver.click(await driver.find(`${row("te-uat")} [data-testid="copy-raw"]`));
    const access = await driver.waitFor(
      async () => (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(clipboardText()) ? clipboardText() : null),
      5_000,
      "the raw token on the clipboard",
    );
    const issued = await fetch(`${demo.address}/traderevolution/external/token`, {
      method: "POST",
      headers: { authorization: `Bearer ${access}` },
    });
    assert.equal(issued.status, 200, "the demo API issues a one-time token");
    const { token: ott } = await issued.json();
    await driver.type(await driver.find('[data-testid="ott-input"]'), ott);
    await driver.click(await driver.find('[data-testid="ott-verify"]'));
    assert.equal(await driver.textOf('[data-testid="ott-verdict"]'), "Valid — issued to bo.trader");
    await snap(driver, "ott");
    await driver.click(await driver.find('[data-testid="ott-verify"]'));
    assert.match(
      await driver.textOf('[data-testid="ott-verdict"]', (t) => t.startsWith("Not valid")),
      /Not valid: .*used/,
    );
    await driver.click(await driver.find(`${row("te-uat")} [data-testid="account-open"]`));
  });

  it("creates a private token, shows it once, and revokes it after confirmation", async () => {
    await driver.click(await driver.find(`${row("pt-uat")} [data-testid="account-open"]`));
    await driver.find(`${row("pt-uat")} [data-testid="pt-empty"]`, 10_000);
    await driver.type(await driver.find('[data-testid="pt-label"]'), "nightly export");
    await driver.click(await driver.find('[data-testid="pt-lifetime"] option[value="604800"]'));
    await driver.click(await driver.find('[data-testid="pt-create"]'));
    const value = await driver.textOf('[data-testid="pt-created-value"]');
    assert.ok(value.length > 20, "the new token is shown");
    const tokenRow = await driver.find('[data-testid="pt-row"]');
    assert.match(await driver.text(tokenRow), /nightly export/);
    assert.match(await driver.text(tokenRow), /expires soon/, "a 7-day token gets the reminder");
    await driver.click(await driver.find('[data-testid="pt-revoke"]'));
    await driver.click(await driver.find('[data-testid="pt-revoke-confirm"]'));
    await driver.find(`${row("pt-uat")} [data-testid="pt-empty"]`, 10_000);
    assert.equal(
      (await driver.findAll('[data-testid="pt-created"]')).length,
      0,
      "the shown value is gone",
    );
  });

  it("serves the command line while it runs, and can be locked", async () => {
    const cli = (...args) =>
      spawnSync(target("tokenvault"), ["--home", home, ...args], { encoding: "utf8" });
    const through = cli("token", "te-uat");
    assert.equal(through.status, 0, through.stderr);
    const direct = cli("--no-agent", "token", "te-uat");
    assert.equal(direct.status, 0, direct.stderr);
    assert.equal(claimsOf(through.stdout.trim()).sub, claimsOf(direct.stdout.trim()).sub);
    const locking = cli("lock");
    assert.equal(locking.status, 0, `only a running agent can be locked: ${locking.stderr}`);
    const locked = cli("token", "te-uat");
    assert.equal(locked.status, 5);
    assert.equal(locked.stdout, "", "nothing is served while locked");
    assert.match(locked.stderr, /locked/);
    await driver.textOf('[data-testid="agent-toggle"]', (t) => t === "CLI agent locked");
    await driver.click(await driver.find('[data-testid="agent-toggle"]'));
    await driver.textOf('[data-testid="agent-toggle"]', (t) => t === "CLI agent on");
    assert.equal(cli("token", "te-uat").status, 0, "unlocked from the window");
  });

  it("locks the command-line agent when the screen locks", async () => {
    const announce = () =>
      spawnSync("dbus-send", [
        "--session",
        "--type=signal",
        "/org/freedesktop/ScreenSaver",
        "org.freedesktop.ScreenSaver.ActiveChanged",
        "boolean:true",
      ]);
    assert.equal(announce().status, 0);
    await driver.textOf('[data-testid="agent-toggle"]', (t) => t === "CLI agent locked", 10_000);
    await driver.click(await driver.find('[data-testid="agent-toggle"]'));
    await driver.textOf('[data-testid="agent-toggle"]', (t) => t === "CLI agent on");
  });
});
