// End-to-end: the real app on a vault whose accounts a team shares through a real OpenBao dev
// server on loopback. Another member shares an account from the command line; the app shows it
// with its team badge, logs in with the team's password, and Settings > Teams syncs on demand.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { endTree, freePorts, spawnOwned } from "./processes.mjs";
import { snap, startDemoApi, target } from "./support.mjs";
import { Driver } from "./webdriver.mjs";

const bao =
  process.env.TOKENVAULT_BAO ?? fileURLToPath(new URL("../../.tools/bin/bao", import.meta.url));
const PREFIX = "tokenvault/support";
const KEY = "finvera-uat";
const scratch = mkdtempSync(join(tmpdir(), "tokenvault-e2e-team-"));
const [leadHome, yourHome] = [join(scratch, "lead"), join(scratch, "you")];
const row = '[data-account-id="team-support-finvera-uat"]';

/** The root's call to the engine; its JSON answer (or null for 204). */
async function engine(address, method, path, body) {
  const answer = await fetch(`${address}/v1/${path}`, {
    method,
    headers: { "X-Vault-Token": "root" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(answer.ok, `${method} ${path}: ${answer.status} ${await answer.clone().text()}`);
  return answer.status === 204 ? null : answer.json();
}

/** A userpass member whose policy writes the team's entries, or only reads them. */
async function member(address, name, writes) {
  const data = writes ? '["create", "update", "read", "delete"]' : '["read"]';
  const metadata = writes ? '["read", "list", "delete"]' : '["read", "list"]';
  const policy = [
    `path "secret/data/${PREFIX}/*" { capabilities = ${data} }`,
    `path "secret/metadata/${PREFIX}/*" { capabilities = ${metadata} }`,
    `path "secret/metadata/${PREFIX}" { capabilities = ["list"] }`,
    `path "secret/detailed-metadata/${PREFIX}/*" { capabilities = ["list"] }`,
    `path "secret/detailed-metadata/${PREFIX}" { capabilities = ["list"] }`,
  ].join("\n");
  await engine(address, "PUT", `sys/policies/acl/${name}`, { policy });
  await engine(address, "POST", `auth/userpass/users/${name}`, {
    password: `${name}-pass`,
    token_policies: [name],
    token_ttl: "1h",
  });
}

/** The command line on `home`, its stdin `input`; fails the test unless it succeeds. */
function tokenvault(home, args, input = "") {
  const run = spawnSync(target("tokenvault"), ["--no-agent", "--home", home, ...args], {
    input,
    encoding: "utf8",
  });
  assert.equal(run.status, 0, `tokenvault ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

describe("the app on a team's accounts", () => {
  let demo;
  let server;
  let address;
  let driver;

  before(async () => {
    demo = await startDemoApi();
    const [port] = await freePorts(1);
    address = `http://127.0.0.1:${port}`;
    server = spawnOwned(bao, [
      "server",
      "-dev",
      "-dev-root-token-id=root",
      `-dev-listen-address=127.0.0.1:${port}`,
      "-dev-no-store-token",
    ]);
    const up = Date.now();
    for (;;) {
      const health = await fetch(`${address}/v1/sys/health`).catch(() => null);
      if (health?.ok) break;
      assert.ok(Date.now() - up < 60_000, "OpenBao answered within a minute");
      await new Promise((wait) => setTimeout(wait, 100));
    }
    await engine(address, "POST", "sys/auth/userpass", { type: "userpass" });
    await member(address, "lead", true);
    await member(address, "you", false);

    tokenvault(
      leadHome,
      ["account", "add", "Finvera UAT", "--preset", "finvera", "--env", "UAT"].concat([
        "--base-url",
        `${demo.address}/finvera`,
        "--username",
        "analyst@finvera.demo",
        "--password-stdin",
      ]),
      "finvera-demo-password\n",
    );
    for (const [home, who] of [
      [leadHome, "lead"],
      [yourHome, "you"],
    ]) {
      tokenvault(
        home,
        ["team", "connect", "support", "--addr", address, "--userpass", who, "--password-stdin"],
        `${who}-pass\n`,
      );
    }
    tokenvault(leadHome, ["team", "share", "Finvera UAT", "--team", "support"]);
    tokenvault(yourHome, ["team", "sync"]);

    driver = await Driver.start({
      application: target("tokenvault-desktop"),
      env: { TOKENVAULT_HOME: yourHome, WEBKIT_DISABLE_DMABUF_RENDERER: "1" },
    });
  });

  after(async () => {
    await driver?.stop();
    await endTree(server);
    await endTree(demo?.server);
    rmSync(scratch, { recursive: true, force: true });
  });

  it("shows the shared account with its team's badge, logged in with the team's password", async () => {
    await driver.waitFor(
      async () => {
        const [found] = await driver.findAll(row);
        return found && (await driver.attribute(found, "data-state")) === "fresh";
      },
      20_000,
      "the team's account fresh",
    );
    assert.equal(await driver.textOf(`${row} [data-testid="team-badge"]`), "support");
    await snap(driver, "team-accounts");
  });

  /** Clicks Sync now and waits for a sync that ended after the click, and ended well. */
  async function syncNow() {
    const synced = '[data-testid="team-last-sync-support"]';
    const before = Number(await driver.attribute(await driver.find(synced), "data-at"));
    await driver.click(await driver.find('[data-testid="team-sync-support"]'));
    await driver.waitFor(
      async () => {
        const [found] = await driver.findAll(synced);
        const at = found ? Number(await driver.attribute(found, "data-at")) : 0;
        return at > before && (await driver.attribute(found, "data-outcome")) === "ok";
      },
      15_000,
      "a sync after the click, ended well",
    );
  }

  // The app also syncs each minute by itself, so what a sync reports may be the work of
  // either: the test checks what the vault holds after it instead.
  it("shows the team in Settings, and Sync now brings a change and a removal", async () => {
    await driver.click(await driver.find('[data-testid="tab-settings"]'));
    assert.match(await driver.textOf('[data-testid="team-support"]'), /1 account\b/);
    assert.match(
      await driver.textOf('[data-testid="team-token-support"]'),
      /\d+:\d\d left, renewed before it ends/,
    );

    // The lead renames the environment: a new version of the entry.
    const read = await engine(address, "GET", `secret/data/${PREFIX}/${KEY}`);
    const entry = read.data.data;
    entry.account.environment = "Staging";
    await engine(address, "POST", `secret/data/${PREFIX}/${KEY}`, { data: entry });
    await syncNow();
    await snap(driver, "team-settings");
    await driver.click(await driver.find('[data-testid="tab-accounts"]'));
    await driver.textOf(`${row} .env`, (text) => text.toLowerCase() === "staging");

    await engine(address, "DELETE", `secret/metadata/${PREFIX}/${KEY}`);
    await driver.click(await driver.find('[data-testid="tab-settings"]'));
    await syncNow();
    await driver.click(await driver.find('[data-testid="tab-accounts"]'));
    await driver.waitFor(
      async () => (await driver.findAll(row)).length === 0,
      10_000,
      "the removed account gone from the list",
    );
  });
});
