// End-to-end: the real app window on the built-in demo, driven through tauri-driver.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { claimsOf, clipboardText, seconds, snap, target, workspaceVersion } from "./support.mjs";
import { Driver } from "./webdriver.mjs";

const application = process.env.TOKENVAULT_APP ?? target("tokenvault-desktop");
const row = (id) => `[data-account-id="${id}"]`;

describe("the demo app window", () => {
  let driver;

  before(async () => {
    driver = await Driver.start({
      application,
      args: ["--demo"],
      env: { WEBKIT_DISABLE_DMABUF_RENDERER: "1" },
    });
  });

  after(async () => {
    await driver?.stop();
  });

  it("lists one fresh account per preset", async () => {
    // Each account is seen fresh at least once: on a busy machine one may be renewing
    // while another has just logged in.
    const fresh = new Set();
    await driver.waitFor(
      async () => {
        const found = await driver.findAll('[data-testid="account-row"][data-state="fresh"]');
        for (const r of found) {
          try {
            fresh.add(await driver.attribute(r, "data-account-id"));
          } catch {
            // the row re-rendered between the two calls: the next poll sees it again
          }
        }
        return fresh.size === 8;
      },
      20_000,
      "eight fresh demo accounts",
    );
    const rows = await driver.findAll('[data-testid="account-row"]');
    assert.equal(rows.length, 8, "one row per preset");
    assert.deepEqual(
      [...fresh].sort(),
      [
        "demo-directus",
        "demo-finvera",
        "demo-oauth2-client-credentials",
        "demo-oauth2-password",
        "demo-prive",
        "demo-private-tokens",
        "demo-simplejwt",
        "demo-traderevolution",
      ].sort(),
    );
  });

  it("counts an account's access token down as time passes", async () => {
    const countdown = await driver.find(`${row("demo-prive")} [data-testid="countdown"]`);
    const first = seconds(await driver.text(countdown));
    assert.ok(first > 60 && first <= 180, `a fresh 3-minute token shows ${first} s`);
    await sleep(2_500);
    const second = seconds(await driver.text(countdown));
    assert.ok(
      second < first && second >= first - 4,
      `the countdown went down by 2-3 s: ${first} -> ${second}`,
    );
  });

  it("copies a fresh Bearer token and counts down to clearing the clipboard", async () => {
    await driver.click(await driver.find(`${row("demo-prive")} [data-testid="copy"]`));
    await driver.textOf(`${row("demo-prive")} [data-testid="copy-note"]`, (t) =>
      t.includes("copied"),
    );
    const left = Number(await driver.textOf('[data-testid="clipboard-countdown"]'));
    assert.ok(left > 20 && left <= 30, `the clipboard clears in ${left} s`);
    const copied = clipboardText();
    assert.match(copied, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(claimsOf(copied.slice(7)).sub, "advisor@prive.demo", "the clicked account's");
    await snap(driver, "accounts");
  });

  it("clears the clipboard at once with Clear now", async () => {
    await driver.click(await driver.find('[data-testid="clear-now"]'));
    await driver.textOf('[data-testid="clipboard-bar"]', (t) => t.includes("no longer holds"));
    assert.equal(clipboardText(), "", "the clipboard is empty");
  });

  it("copies the Authorization header line and a curl command from the account's panel", async () => {
    await driver.click(await driver.find(`${row("demo-finvera")} [data-testid="account-open"]`));
    await driver.click(await driver.find(`${row("demo-finvera")} [data-testid="copy-header"]`));
    await driver.waitFor(async () => clipboardText().startsWith("Authorization: Bearer "), 5_000, "header");
    await driver.click(await driver.find(`${row("demo-finvera")} [data-testid="copy-curl"]`));
    await driver.waitFor(async () => clipboardText().startsWith("curl "), 5_000, "curl");
    assert.match(
      clipboardText(),
      /^curl -H 'Authorization: Bearer [\w-]+\.[\w-]+\.[\w-]+' 'http:\/\/127\.0\.0\.1:\d+\/finvera\/'$/,
    );
    await driver.click(await driver.find(`${row("demo-finvera")} [data-testid="account-open"]`));
  });

  it("asks the API about an account's token with its validate call, and names the user", async () => {
    await driver.click(await driver.find(`${row("demo-finvera")} [data-testid="account-open"]`));
    await driver.click(await driver.find(`${row("demo-finvera")} [data-testid="validate"]`));
    assert.equal(
      await driver.textOf(`${row("demo-finvera")} [data-testid="validate-verdict"]`),
      "Valid — the token of analyst@finvera.demo",
    );
    await snap(driver, "validate");
    await driver.click(await driver.find(`${row("demo-finvera")} [data-testid="account-open"]`));
  });

  it("serves an account's API on a local port with its token added, until switched off", async () => {
    await driver.click(await driver.find(`${row("demo-prive")} [data-testid="account-open"]`));
    await driver.click(await driver.find(`${row("demo-prive")} [data-testid="proxy-switch"]`));
    await driver.find(`${row("demo-prive")} [data-testid="proxy-url"]`);
    const url = await driver.execute(
      `return document.querySelector('${row("demo-prive")} [data-testid="proxy-url"]').value`,
    );
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const me = await fetch(`${url}/users/me`);
    assert.equal(me.status, 200, "no credentials sent, yet the protected endpoint answers");
    assert.equal((await me.json()).username, "advisor@prive.demo");
    await driver.execute(
      `document.querySelector('${row("demo-prive")} [data-testid="proxy-url"]').scrollIntoView({ block: "center" })`,
    );
    await snap(driver, "local-proxy");
    await driver.click(await driver.find(`${row("demo-prive")} [data-testid="proxy-switch"]`));
    await driver.waitFor(
      async () => (await driver.findAll(`${row("demo-prive")} [data-testid="proxy-url"]`)).length === 0,
      5_000,
      "the address gone once the proxy is off",
    );
    await assert.rejects(fetch(`${url}/users/me`), "nothing listens there any more");
    await driver.click(await driver.find(`${row("demo-prive")} [data-testid="account-open"]`));
  });

  it("shows a private-token account's panel with its tokens", async () => {
    await driver.click(await driver.find(`${row("demo-private-tokens")} [data-testid="account-open"]`));
    await driver.find(`${row("demo-private-tokens")} [data-testid="pt-label"]`);
    await driver.type(await driver.find('[data-testid="pt-label"]'), "nightly export");
    await driver.click(await driver.find('[data-testid="pt-create"]'));
    await driver.textOf('[data-testid="pt-created-value"]');
    await snap(driver, "private-tokens");
    await driver.click(await driver.find(`${row("demo-private-tokens")} [data-testid="account-open"]`));
  });

  it("decodes an account's token in the inspector as UNVERIFIED, then verifies it with a secret", async () => {
    await driver.click(await driver.find('[data-testid="tab-inspector"]'));
    await driver.click(await driver.find('[data-testid="i-source"] option[value="demo-prive"]'));
    await driver.click(await driver.find('[data-testid="i-inspect"]'));
    assert.match(await driver.textOf('[data-testid="verdict"]'), /^UNVERIFIED/);
    assert.equal(await driver.textOf('[data-testid="report-identity"]'), "advisor@prive.demo");
    await driver.click(await driver.find('[data-testid="i-key-kind"] option[value="secret"]'));
    await driver.type(await driver.find('[data-testid="i-key"]'), "tokenvault-demo-signing-secret");
    await driver.click(await driver.find('[data-testid="i-inspect"]'));
    assert.match(
      await driver.textOf('[data-testid="verdict"]', (t) => t.startsWith("Verified")),
      /Verified with hmac-secret \(HS256\)/,
    );
    await snap(driver, "inspector");
  });

  it("lists what happened in Activity, and never a token", async () => {
    await driver.click(await driver.find('[data-testid="tab-activity"]'));
    await driver.waitFor(
      async () => (await driver.findAll('[data-testid="audit-row"][data-kind="copy"]')).length >= 3,
      10_000,
      "three copies in the activity list",
    );
    const page = await driver.execute("return document.body.innerText");
    assert.doesNotMatch(page, /eyJ[\w-]{10,}/, "no JWT on the activity screen");
    await snap(driver, "activity");
  });

  it("refuses a wrong password inline when adding an account, and keeps nothing", async () => {
    await driver.click(await driver.find('[data-testid="tab-accounts"]'));
    await driver.click(await driver.find('[data-testid="add-account"]'));
    await driver.type(await driver.find('[data-testid="f-name"]'), "Prive second desk");
    await driver.click(await driver.find('[data-testid="f-preset"] option[value="prive"]'));
    const baseUrl = await driver.execute(
      'return document.querySelector("[data-testid=f-base-url]").value',
    );
    assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/prive$/, "the demo's URL is filled in");
    await driver.type(await driver.find('[data-testid="f-identity"]'), "advisor@prive.demo");
    await driver.type(await driver.find('[data-testid="f-password"]'), "not-the-password");
    await driver.click(await driver.find('[data-testid="save-account"]'));
    const error = await driver.find('[data-testid="add-error"]');
    assert.equal(await driver.attribute(error, "data-code"), "credentials_rejected");
    assert.match(await driver.textOf(".field-error"), /rejected the login for advisor@prive\.demo/);
    await driver.type(await driver.find('[data-testid="f-password"]'), "prive-demo-password");
    await driver.click(await driver.find('[data-testid="test-login"]'));
    assert.match(await driver.textOf('[data-testid="login-preview"]'), /Login works/);
    assert.equal(await driver.textOf('[data-testid="report-identity"]'), "advisor@prive.demo");
    await snap(driver, "add-account");
    await driver.click(await driver.find('[data-testid="save-account"]'));
    await driver.waitFor(
      async () => (await driver.findAll(`${row("prive-second-desk")}[data-state="fresh"]`)).length,
      10_000,
      "the added account, fresh",
    );
  });

  it("adds an account from each seed document's login curl command, pasted in the form", async () => {
    await driver.click(await driver.find('[data-testid="tab-accounts"]'));
    await driver.click(await driver.find('[data-testid="add-account"]'));
    const title = await driver.execute('return document.querySelector(".mode").title');
    const demoApi = title.replace("The built-in demo API answers on ", "");
    assert.match(demoApi, /^http:\/\/127\.0\.0\.1:\d+$/);
    // Each document's login as it shows it, its host replaced by the demo API's; the password
    // in the command is never the one used.
    const seeds = [
      {
        name: "Prive from curl",
        command: `curl -X POST "${demoApi}/prive/restful/login/" \\\n-H "Content-Type: application/json" \\\n-d '{"username": "advisor@prive.demo", "password": "SecurePassword123!"}'`,
        password: "prive-demo-password",
        renewal: /refresh token: none in the answer, so it logs in again/,
      },
      {
        name: "Finvera from curl",
        command: `curl -X POST ${demoApi}/finvera/kms/api/v1/auth/token \\\n-H "Content-Type: application/json" \\\n-d '{\n"email": "analyst@finvera.demo",\n"password": "your_password"\n}'`,
        password: "finvera-demo-password",
        renewal:
          /refresh: POST \/finvera\/kms\/api\/v1\/auth\/refresh with the refresh token in the `DT_REFRESH_TOKEN` cookie/,
      },
      {
        name: "TraderEvolution from curl",
        command: `curl -X POST '${demoApi}/traderevolution/auth/token' -H 'Content-Type: application/json' --data-raw '{"login":"bo.trader","password":"pass"}'`,
        password: "traderevolution-demo-password",
        renewal: /refresh: GET \/traderevolution\/auth\/token\/refresh with the refresh token in a `token` header/,
      },
      {
        name: "Private tokens from curl",
        command: `curl ${demoApi}/private-tokens/api/v1/auth/login --json '{"email": "ops@private-tokens.demo", "password": "***"}'`,
        password: "private-tokens-demo-password",
        renewal: /refresh token: none in the answer, so it logs in again/,
      },
    ];
    for (const seed of seeds) {
      const id = seed.name.toLowerCase().replaceAll(" ", "-");
      if (seed !== seeds[0]) await driver.click(await driver.find('[data-testid="add-account"]'));
      await driver.type(await driver.find('[data-testid="f-name"]'), seed.name);
      await driver.click(await driver.find('[data-testid="f-paste-curl"]'));
      await driver.type(await driver.find('[data-testid="f-curl"]'), seed.command);
      await driver.type(await driver.find('[data-testid="f-password"]'), seed.password);
      await driver.click(await driver.find('[data-testid="f-curl-read"]'));
      const decisions = await driver.textOf('[data-testid="curl-decisions"]');
      assert.match(decisions, seed.renewal, `${seed.name}: ${decisions}`);
      if (seed.name.startsWith("Finvera")) {
        assert.match(decisions, /access token: the cookie `DT_AUTH_TOKEN`/);
        await snap(driver, "add-from-curl");
      }
      await driver.click(await driver.find('[data-testid="save-account"]'));
      await driver.waitFor(
        async () => (await driver.findAll(`${row(id)}[data-state="fresh"]`)).length,
        10_000,
        `${seed.name}, fresh`,
      );
      // Removed again at once: the tests after this one count the demo's own accounts, and
      // the next row added stays in view.
      await driver.click(await driver.find(`${row(id)} [data-testid="account-open"]`));
      await driver.click(await driver.find(`${row(id)} [data-testid="remove"]`));
      await driver.click(await driver.find(`${row(id)} [data-testid="remove-confirm"]`));
      await driver.waitFor(
        async () => (await driver.findAll(row(id))).length === 0,
        10_000,
        `${seed.name} removed`,
      );
    }
  });

  it("clears the clipboard by itself after the delay chosen in Settings", async () => {
    await driver.click(await driver.find('[data-testid="tab-settings"]'));
    await driver.type(await driver.find('[data-testid="s-clear"]'), "5");
    await snap(driver, "settings");
    assert.equal(
      await driver.textOf('[data-testid="about-version"]'),
      `Tokenvault ${workspaceVersion()}`,
      "About shows the workspace's version",
    );
    await driver.click(await driver.find('[data-testid="s-save"]'));
    await driver.find('[data-testid="s-saved"]');
    await driver.click(await driver.find('[data-testid="tab-accounts"]'));
    await driver.click(await driver.find(`${row("demo-simplejwt")} [data-testid="copy"]`));
    await driver.waitFor(async () => clipboardText().startsWith("Bearer "), 5_000, "the copy");
    const left = Number(await driver.textOf('[data-testid="clipboard-countdown"]'));
    assert.ok(left <= 5, `the clipboard clears in ${left} s`);
    await driver.waitFor(async () => clipboardText() === "", 8_000, "the clipboard to be cleared");
  });

  it("opens the quick switcher on the global shortcut; Enter copies the typed account's token", async () => {
    const pressed = spawnSync("xdotool", ["key", "--clearmodifiers", "ctrl+shift+space"]);
    assert.equal(pressed.status, 0, String(pressed.stderr));
    const input = await driver.find('[data-testid="switcher-input"]', 5_000);
    await driver.type(input, "finvera");
    await driver.waitFor(
      async () => (await driver.findAll('[data-testid="switcher-item"]')).length === 1,
      3_000,
      "one match",
    );
    await snap(driver, "quick-switcher");
    await driver.command("POST", `/element/${input}/value`, { text: "\uE007" });
    const copied = await driver.waitFor(
      async () => (clipboardText().startsWith("Bearer ") ? clipboardText() : null),
      5_000,
      "the copy",
    );
    assert.equal(claimsOf(copied.slice(7)).sub, "analyst@finvera.demo");
  });

  it("follows the dark theme when chosen", async () => {
    await driver.click(await driver.find('[data-testid="tab-settings"]'));
    await driver.click(await driver.find('[data-testid="s-theme-dark"]'));
    await driver.click(await driver.find('[data-testid="s-save"]'));
    await driver.find('[data-testid="s-saved"]');
    assert.equal(await driver.execute("return document.documentElement.dataset.theme"), "dark");
    await driver.click(await driver.find('[data-testid="tab-accounts"]'));
    await snap(driver, "accounts-dark");
  });
});
