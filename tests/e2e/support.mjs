// Helpers shared by the end-to-end tests: where the built binaries are, the demo API as a
// separate server, accounts added by another process, the X clipboard, and screenshots of
// each screen when TOKENVAULT_SCREENSHOTS names a folder.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnOwned } from "./processes.mjs";

/** A binary of this workspace's debug build (or TOKENVAULT_APP for the app). */
export const target = (name) =>
  fileURLToPath(new URL(`../../target/debug/${name}`, import.meta.url));

/** Starts the demo API binary with `args` and resolves its process and base address. */
export function startDemoApi(...args) {
  const server = spawnOwned(target("tokenvault-demo-api"), ["--port", "0", ...args]);
  return new Promise((resolve, reject) => {
    server.stdout.on("data", (chunk) => {
      const found = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (found) resolve({ server, address: found[1] });
    });
    server.on("exit", (code) => reject(new Error(`the demo API exited with ${code}`)));
  });
}

/** Adds an account to the vault in `home` as another process would. */
export function addAccount(home, demo, name, preset, identity, password) {
  const added = spawnSync(
    target("vault-probe"),
    ["add", home, name, preset, `${demo}/${preset}`, identity],
    { input: `${password}\n`, encoding: "utf8" },
  );
  assert.equal(added.status, 0, `adding ${name}: ${added.stderr}`);
}

/** The one version number: the workspace package version in Cargo.toml. */
export function workspaceVersion() {
  const manifest = readFileSync(
    fileURLToPath(new URL("../../Cargo.toml", import.meta.url)),
    "utf8",
  );
  const version = manifest.match(/^\[workspace\.package\][^[]*?^version = "([^"]+)"/m)?.[1];
  assert.ok(version, "Cargo.toml names the workspace version");
  return version;
}

/** What the X clipboard holds now ("" when it is empty or has no owner). */
export function clipboardText() {
  const read = spawnSync("xclip", ["-o", "-selection", "clipboard"], { encoding: "utf8" });
  return read.status === 0 ? read.stdout : "";
}

/** The claims of a JWT. */
export function claimsOf(jwt) {
  const payload = jwt.split(".")[1];
  assert.ok(payload, `not a JWT: ${jwt.slice(0, 12)}…`);
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
}

/** "2:59" or "1:02:03" as seconds. */
export function seconds(text) {
  return text
    .trim()
    .split(":")
    .reduce((total, part) => total * 60 + Number(part), 0);
}

/** Saves the window as `name`.png when TOKENVAULT_SCREENSHOTS names a folder. */
export async function snap(driver, name) {
  const folder = process.env.TOKENVAULT_SCREENSHOTS;
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${name}.png`), await driver.screenshotPng());
}
