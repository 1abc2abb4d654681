// End-to-end: closing the window keeps the app running where a tray exists ("Close to tray",
// on by default): its renewals go on and its agent still answers the command line, and
// launching the app again on that vault brings the same window back instead of opening the
// vault twice, while a launch on another vault is an app of its own.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { endTree, spawnOwned } from "./processes.mjs";
import { addAccount, claimsOf, startDemoApi, target } from "./support.mjs";
import { Driver, PATIENCE } from "./webdriver.mjs";

const home = mkdtempSync(join(tmpdir(), "tokenvault-e2e-tray-"));
const otherHome = mkdtempSync(join(tmpdir(), "tokenvault-e2e-tray-other-"));
const closeWindow = fileURLToPath(new URL("./close-window.py", import.meta.url));
const cli = (...args) =>
  spawnSync(target("tokenvault"), ["--home", home, ...args], { encoding: "utf8" });

/** The app's windows on the screen now (mapped), by X id. */
function shownWindows() {
  const found = spawnSync("xdotool", ["search", "--onlyvisible", "--name", "^Tokenvault$"], {
    encoding: "utf8",
  });
  return found.stdout.split("\n").filter((id) => id.trim() !== "");
}

describe("the window closed to the tray", () => {
  let demo;
  let driver;
  let second;
  let other;

  before(async () => {
    demo = await startDemoApi();
    addAccount(
      home,
      demo.address,
      "TE UAT",
      "traderevolution",
      "bo.trader",
      "traderevolution-demo-password",
    );
    driver = await Driver.start({
      application: target("tokenvault-desktop"),
      env: { TOKENVAULT_HOME: home, WEBKIT_DISABLE_DMABUF_RENDERER: "1" },
    });
  });

  after(async () => {
    await endTree(second);
    await endTree(other);
    await driver?.stop();
    await endTree(demo?.server);
    rmSync(home, { recursive: true, force: true });
    rmSync(otherHome, { recursive: true, force: true });
  });

  it("keeps answering the command line, and a second launch shows the window again", async () => {
    await driver.waitFor(
      async () => {
        const [row] = await driver.findAll('[data-account-id="te-uat"]');
        return row && (await driver.attribute(row, "data-state")) === "fresh";
      },
      15_000,
      "TE UAT fresh",
    );
    const [window] = await driver.waitFor(
      async () => {
        const shown = shownWindows();
        return shown.length > 0 ? shown : null;
      },
      10_000,
      "the app's window on the screen",
    );
    const closing = spawnSync("python3", [closeWindow, window], { encoding: "utf8" });
    assert.equal(closing.status, 0, `the close button's message was sent: ${closing.stderr}`);
    await driver.waitFor(
      async () => shownWindows().length === 0,
      10_000,
      "the window gone from the screen",
    );

    // Only a running agent can be locked: the app's, with its window closed.
    const locking = cli("lock");
    assert.equal(locking.status, 0, `the app's agent answers: ${locking.stderr}`);
    assert.equal(cli("token", "te-uat").status, 5, "locked, it serves nothing");
    assert.equal(cli("unlock").status, 0);
    const served = cli("token", "te-uat");
    assert.equal(served.status, 0, served.stderr);
    assert.equal(claimsOf(served.stdout.trim()).sub, "bo.trader");

    second = spawnOwned(target("tokenvault-desktop"), [], {
      env: { ...process.env, TOKENVAULT_HOME: home, WEBKIT_DISABLE_DMABUF_RENDERER: "1" },
    });
    const [code] = await once(second, "exit", {
      signal: AbortSignal.timeout(20_000 * PATIENCE),
    }).catch(() => {
      throw new Error("the second launch did not hand over to the running app");
    });
    assert.equal(code, 0, "the second launch hands over to the running app and ends");
    await driver.waitFor(
      async () => shownWindows().length === 1,
      10_000,
      "the same window shown again",
    );
  });

  it("opens a window of its own for a launch on another vault", async () => {
    other = spawnOwned(target("tokenvault-desktop"), [], {
      env: { ...process.env, TOKENVAULT_HOME: otherHome, WEBKIT_DISABLE_DMABUF_RENDERER: "1" },
    });
    await driver.waitFor(
      async () => shownWindows().length === 2,
      20_000,
      "a second window, for the other vault",
    );
    assert.equal(other.exitCode, null, "the other vault's app runs on");
  });
});
