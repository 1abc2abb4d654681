// End-to-end: the real app on a vault (not the demo), with accounts added from another
// process while it runs, against the demo API as a separate server.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Driver } from "./webdriver.mjs";

const target = (name) => fileURLToPath(new URL(`../../target/debug/${name}`, import.meta.url));
const home = mkdtempSync(join(tmpdir(), "tokenvault-e2e-"));

/** Starts the demo API binary and resolves its base address. */
function startDemoApi() {
  const server = spawn(target("tokenvault-demo-api"), ["--port", "0", "--access-ttl", "90"]);
  return new Promise((resolve, reject) => {
    server.stdout.on("data", (chunk) => {
      const found = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (found) resolve({ server, address: found[1] });
    });
    server.on("exit", (code) => reject(new Error(`the demo API exited with ${code}`)));
  });
}

/** Adds an account to the vault as another process would. */
function addAccount(demo, name, preset, identity, password) {
  const added = spawnSync(
    target("vault-probe"),
    ["add", home, name, preset, `${demo}/${preset}`, identity],
    { input: `${password}\n`, encoding: "utf8" },
  );
  assert.equal(added.status, 0, `adding ${name}: ${added.stderr}`);
}

async function rowState(driver, id) {
  const [row] = await driver.findAll(`[data-account-id="${id}"]`);
  return row ? driver.attribute(row, "data-state") : null;
}

describe("the app on a vault", () => {
  let demo;
  let driver;

  before(async () => {
    demo = await startDemoApi();
    addAccount(demo.address, "TE UAT", "traderevolution", "bo.trader", "traderevolution-demo-password");
    driver = await Driver.start({
      application: target("tokenvault-desktop"),
      env: { TOKENVAULT_HOME: home, WEBKIT_DISABLE_DMABUF_RENDERER: "1" },
    });
  });

  after(async () => {
    await driver?.stop();
    demo?.server.kill();
    rmSync(home, { recursive: true, force: true });
  });

  it("logs in to the vault's account and says where secrets are kept", async () => {
    await driver.waitFor(async () => (await rowState(driver, "te-uat")) === "fresh", 15_000, "TE UAT fresh");
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
});
