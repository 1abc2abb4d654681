// End-to-end: the real app window on the built-in demo, driven through tauri-driver.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Driver } from "./webdriver.mjs";

const application =
  process.env.TOKENVAULT_APP ??
  fileURLToPath(new URL("../../target/debug/tokenvault-desktop", import.meta.url));

/** "2:59" or "1:02:03" as seconds. */
function seconds(text) {
  return text
    .trim()
    .split(":")
    .reduce((total, part) => total * 60 + Number(part), 0);
}

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
    const rows = await driver.waitFor(
      async () => {
        const found = await driver.findAll('[data-testid="account-row"][data-state="fresh"]');
        return found.length === 6 ? found : null;
      },
      20_000,
      "six fresh demo accounts",
    );
    const ids = await Promise.all(rows.map((row) => driver.attribute(row, "data-account-id")));
    assert.deepEqual(
      ids.sort(),
      [
        "demo-finvera",
        "demo-oauth2-password",
        "demo-prive",
        "demo-private-tokens",
        "demo-simplejwt",
        "demo-traderevolution",
      ].sort(),
    );
  });

  it("counts an account's access token down as time passes", async () => {
    const [row] = await driver.findAll('[data-account-id="demo-prive"]');
    const [countdown] = await driver.within(row, '[data-testid="countdown"]');
    const first = seconds(await driver.text(countdown));
    assert.ok(first > 60 && first <= 180, `a fresh 3-minute token shows ${first} s`);
    await sleep(2_500);
    const second = seconds(await driver.text(countdown));
    assert.ok(
      second < first && second >= first - 4,
      `the countdown went down by 2-3 s: ${first} -> ${second}`,
    );
  });

  it("copies a fresh Bearer token to the clipboard, and says when it will be cleared", async () => {
    const [row] = await driver.findAll('[data-account-id="demo-prive"]');
    const [button] = await driver.within(row, '[data-testid="copy"]');
    await driver.click(button);
    const note = await driver.waitFor(
      async () => {
        const [found] = await driver.within(row, '[data-testid="copy-note"]');
        const text = found ? await driver.text(found) : "";
        return text.includes("copied") ? text : null;
      },
      5_000,
      "the copy confirmation",
    );
    assert.match(note, /clears in 30 s/);
    const clipboard = spawnSync("xclip", ["-o", "-selection", "clipboard"], { encoding: "utf8" });
    assert.equal(clipboard.status, 0, clipboard.stderr);
    assert.match(clipboard.stdout, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = JSON.parse(
      Buffer.from(clipboard.stdout.split(".")[1], "base64url").toString("utf8"),
    );
    assert.equal(claims.sub, "advisor@prive.demo", "the token of the account whose button was clicked");
  });
});
