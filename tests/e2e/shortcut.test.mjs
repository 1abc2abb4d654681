// End-to-end: the global shortcut is a setting. When another application holds its keys,
// Settings says so instead of the keys silently doing nothing; other keys chosen there are
// taken at once, and pressing them (as the X server delivers a key press) opens the quick
// switcher.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { endTree, spawnOwned } from "./processes.mjs";
import { target } from "./support.mjs";
import { Driver } from "./webdriver.mjs";

const home = mkdtempSync(join(tmpdir(), "tokenvault-e2e-shortcut-"));
const grabKeys = fileURLToPath(new URL("./grab-keys.py", import.meta.url));

describe("the global shortcut", () => {
  let holder;
  let driver;

  before(async () => {
    // Another application holds Ctrl+Shift+Space before the app starts.
    holder = spawnOwned("python3", [grabKeys], { stdio: ["ignore", "pipe", "inherit"] });
    const [said] = await once(holder.stdout, "data");
    assert.match(said.toString(), /grabbed/);
    driver = await Driver.start({
      application: target("tokenvault-desktop"),
      env: { TOKENVAULT_HOME: home, WEBKIT_DISABLE_DMABUF_RENDERER: "1" },
    });
  });

  after(async () => {
    await driver?.stop();
    await endTree(holder);
    rmSync(home, { recursive: true, force: true });
  });

  it("says its keys are taken, and takes others chosen in Settings, which open the switcher", async () => {
    await driver.click(await driver.find('[data-testid="tab-settings"]', 15_000));
    const problem = await driver.textOf('[data-testid="s-shortcut-problem"]');
    assert.match(problem, /Ctrl\+Shift\+Space is taken by another application/);

    const field = await driver.find('[data-testid="s-shortcut"]');
    await driver.type(field, "Ctrl+Shift+K");
    await driver.click(await driver.find('[data-testid="s-save"]'));
    assert.equal(
      await driver.textOf('[data-testid="s-shortcut-active"]'),
      "In use: Ctrl+Shift+K",
    );

    const pressed = spawnSync("xdotool", ["key", "ctrl+shift+k"], { encoding: "utf8" });
    assert.equal(pressed.status, 0, pressed.stderr);
    await driver.find('[data-testid="switcher"]', 10_000);
  });
});
