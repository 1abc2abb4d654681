// Helpers of the real-server tests: the command line run against a throwaway vault, a
// sign-in it prints read from its stderr, and real Chromium (the Playwright the UI's browser
// tests use) as the person's browser. Servers are started and stopped by the project's own
// scripts in scripts/real-servers/.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { endTree, spawnOwned } from "../e2e/processes.mjs";
import { target } from "../e2e/support.mjs";

export { freePorts } from "../e2e/processes.mjs";

const { chromium } = await import(
  new URL("../../ui/node_modules/playwright-core/index.mjs", import.meta.url).href
);

/** A script of scripts/real-servers/. */
export const script = (name) =>
  fileURLToPath(new URL(`../../scripts/real-servers/${name}`, import.meta.url));

/** A fresh folder under the system's temporary folder. */
export const scratch = (name) => mkdtempSync(join(tmpdir(), `tokenvault-${name}-`));

/** Servers started and not yet stopped, as `script name` → data folder. */
const running = new Map();

// A test file that ends early (a failed assertion in `before`, an exception) still stops
// the servers it started: they run detached, and nothing else would end them.
process.on("exit", () => {
  for (const [key, dir] of running) {
    const name = key.split(" ")[0];
    try {
      execFileSync(script(name), ["stop", dir], { stdio: "ignore" });
    } catch {
      // Nothing more can be done while exiting; ./dev's leftover check reports it.
    }
  }
});

/** Runs a server script (`install`, `start DIR PORT`, `stop DIR`) and returns what it printed. */
export function serverScript(name, args, env = {}) {
  const [verb, dir] = args;
  if (verb === "start") running.set(`${name} ${dir}`, dir);
  const printed = execFileSync(script(name), args, {
    encoding: "utf8",
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  if (verb === "stop") running.delete(`${name} ${dir}`);
  return printed;
}

/** The command line on the vault in `home`, never through an agent. */
export function tokenvault(home, args, input) {
  return spawnSync(target("tokenvault"), ["--home", home, ...args], {
    encoding: "utf8",
    input,
    env: { ...process.env, TOKENVAULT_NO_AGENT: "1" },
    timeout: 120_000,
  });
}

/** `tokenvault` that must succeed; its stdout. */
export function ok(home, args, input) {
  const run = tokenvault(home, args, input);
  assert.equal(run.status, 0, `tokenvault ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

/**
 * Starts a `tokenvault` command that signs in with a person, and resolves the first line of
 * its stderr that `wanted` accepts, with the running command and a way to wait for its end.
 */
export async function signingIn(home, args, wanted) {
  const child = spawnOwned(target("tokenvault"), ["--home", home, ...args], {
    env: { ...process.env, TOKENVAULT_NO_AGENT: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const said = [];
  const ended = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  const lines = createInterface({ input: child.stderr });
  const line = await new Promise((resolve, reject) => {
    lines.on("line", (text) => {
      said.push(text);
      if (wanted(text)) resolve(text);
    });
    child.on("exit", (code) =>
      reject(new Error(`tokenvault ended (${code}) before the sign-in: ${said.join("\n")}`)),
    );
  });
  return {
    line,
    /** The command's exit code, once it ends by itself within `ms`. */
    async exit(ms = 60_000) {
      const timer = new Promise((resolve) => setTimeout(() => resolve("timeout"), ms).unref());
      const code = await Promise.race([ended, timer]);
      if (code === "timeout") {
        await endTree(child);
        assert.fail(`tokenvault did not end within ${ms} ms: ${said.join("\n")}`);
      }
      return code;
    },
    said,
  };
}

/** Runs `steps` with a fresh tab of real Chromium, closed whatever happens. */
export async function inChromium(steps) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  });
  try {
    return await steps(await browser.newPage());
  } finally {
    await browser.close();
  }
}

/** The claims of a JWT. */
export function claimsOf(jwt) {
  return JSON.parse(Buffer.from(jwt.trim().split(".")[1], "base64url").toString("utf8"));
}
