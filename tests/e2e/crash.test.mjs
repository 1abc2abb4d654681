// kill -9 of the desktop app at random moments while it keeps a vault's tokens fresh, many
// times over: afterwards the vault opens, no account is lost, and the next refresh of every
// account works without a new login (the demo API grants a reuse grace to a refresh token
// rotated just before a kill).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { endTree, spawnOwned } from "./processes.mjs";
import { PATIENCE } from "./webdriver.mjs";
import { addAccount, startDemoApi, target } from "./support.mjs";

/** Four-second tokens: the app renews each account about every three seconds. */
const ACCESS_TTL = 4;
const TRIALS = Number(process.env.TOKENVAULT_APP_KILLS ?? 12);
const ACCOUNTS = [
  {
    id: "te",
    preset: "traderevolution",
    identity: "bo.trader",
    password: "traderevolution-demo-password",
  },
  {
    id: "kc",
    preset: "oauth2-password",
    identity: "support.agent",
    password: "oauth2-demo-password",
  },
];

describe("the app killed or stopped while it renews", () => {
  const home = mkdtempSync(join(tmpdir(), "tokenvault-e2e-kill-"));
  const cli = (...args) =>
    spawnSync(target("tokenvault"), ["--home", home, "--no-agent", ...args], { encoding: "utf8" });
  let demo;

  /** Logins and refreshes the demo API has answered, over all accounts. */
  async function calls() {
    const counts = await (await fetch(`${demo.address}/_demo/counts`)).json();
    const sum = (endpoint) => ACCOUNTS.reduce((n, a) => n + (counts[a.preset]?.[endpoint] ?? 0), 0);
    return { logins: sum("login"), refreshes: sum("refresh") };
  }

  before(async () => {
    demo = await startDemoApi("--access-ttl", String(ACCESS_TTL), "--refresh-reuse-grace", "600");
    for (const a of ACCOUNTS) {
      addAccount(home, demo.address, a.id, a.preset, a.identity, a.password);
      const first = cli("token", a.id);
      assert.equal(first.status, 0, first.stderr);
    }
  });

  after(async () => {
    await endTree(demo?.server);
    rmSync(home, { recursive: true, force: true });
  });

  it(`loses no account and no rotated refresh token over ${TRIALS} kills`, async () => {
    let refreshedByTheApp = 0;
    const delays = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const before = await calls();
      const app = spawnOwned(target("tokenvault-desktop"), [], {
        env: { ...process.env, TOKENVAULT_HOME: home, WEBKIT_DISABLE_DMABUF_RENDERER: "1" },
        stdio: "ignore",
      });
      const delay = Math.round(1500 + Math.random() * 4500);
      delays.push(delay);
      await sleep(delay);
      assert.equal(app.exitCode, null, `trial ${trial}: the app was still running`);
      app.kill("SIGKILL");
      await once(app, "exit");
      await endTree(app);
      const killed = await calls();
      refreshedByTheApp += killed.refreshes - before.refreshes;

      const listed = cli("account", "list", "--json");
      assert.equal(listed.status, 0, `trial ${trial}: the vault opens: ${listed.stderr}`);
      assert.deepEqual(
        JSON.parse(listed.stdout)
          .map((a) => a.name)
          .sort(),
        ["kc", "te"],
      );
      for (const a of ACCOUNTS) {
        const next = cli("token", a.id, "--force-refresh");
        assert.equal(
          next.status,
          0,
          `trial ${trial} (killed after ${delay} ms), ${a.id}: ${next.stderr}`,
        );
      }
      assert.equal(
        (await calls()).logins,
        before.logins,
        `trial ${trial}: no new login (delays ${delays})`,
      );
    }
    console.log(
      `app kills: ${TRIALS} trials after ${Math.min(...delays)}-${Math.max(...delays)} ms, ` +
        `${refreshedByTheApp} refreshes by the app before its kills, 0 accounts lost, 0 new logins`,
    );
    assert.ok(refreshedByTheApp > 0, "the app was renewing when it was killed");
  });

  it("stops on SIGTERM the way Quit does, leaving no socket behind", async () => {
    const socket = join(home, "agent.sock");
    const app = spawnOwned(target("tokenvault-desktop"), [], {
      env: { ...process.env, TOKENVAULT_HOME: home, WEBKIT_DISABLE_DMABUF_RENDERER: "1" },
      stdio: "ignore",
    });
    for (let waited = 0; !(await serving(socket)); waited += 100) {
      assert.ok(waited < 15_000 * PATIENCE, "the app serves the command line");
      await sleep(100);
    }
    app.kill("SIGTERM");
    const [code] = await once(app, "exit");
    await endTree(app);
    assert.equal(code, 0, "a clean exit");
    assert.equal(existsSync(socket), false, "the socket is removed");
    const direct = cli("token", "te");
    assert.equal(direct.status, 0, direct.stderr);
  });
});

/** Whether something answers on the Unix socket at `path`. */
function serving(path) {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}
