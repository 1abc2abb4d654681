// A small W3C WebDriver client over fetch: enough to drive the real app through
// tauri-driver (find elements, read text, take screenshots) with no dependencies.
import { setTimeout as sleep } from "node:timers/promises";
import { endTree, freePorts, spawnOwned } from "./processes.mjs";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecc";

/** How many times its stated deadline a wait may take (TOKENVAULT_E2E_PATIENCE, default 4). */
export const PATIENCE = Number(process.env.TOKENVAULT_E2E_PATIENCE ?? 4);

export class Driver {
  constructor(base, sessionId) {
    this.base = base;
    this.sessionId = sessionId;
  }

  /** Starts tauri-driver (and the WebDriver under it) on free ports, so two runs on one
   * machine never meet, and opens a session of the app at `application`. A port taken
   * between being found free and being bound makes tauri-driver exit: it is tried again. */
  static async start({ application, args = [], env = {} }) {
    for (let attempt = 1; ; attempt++) {
      const [port, nativePort] = await freePorts(2);
      const driver = spawnOwned(
        "tauri-driver",
        ["--port", String(port), "--native-port", String(nativePort)],
        { env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit"] },
      );
      let exited = false;
      driver.once("exit", () => {
        exited = true;
      });
      const base = `http://127.0.0.1:${port}`;
      for (let i = 0; !exited; i++) {
        try {
          const status = await fetch(`${base}/status`);
          if (status.ok) break;
        } catch {
          if (i > 100) {
            await endTree(driver);
            throw new Error("tauri-driver did not start within 10 s");
          }
        }
        await sleep(100);
      }
      if (exited) {
        if (attempt < 3) continue;
        throw new Error(`tauri-driver ended at start ${attempt} times (ports taken?)`);
      }
      const capabilities = {
        capabilities: {
          alwaysMatch: { "tauri:options": { application, args } },
        },
      };
      try {
        const created = await call(`${base}/session`, "POST", capabilities);
        const session = new Driver(base, created.sessionId);
        session.process = driver;
        return session;
      } catch (e) {
        await endTree(driver);
        throw e;
      }
    }
  }

  /** Ends the session, then tauri-driver and everything it started (the app included). */
  async stop() {
    try {
      await call(`${this.base}/session/${this.sessionId}`, "DELETE", undefined, 10_000);
    } catch (e) {
      console.error(`ending the WebDriver session: ${e.message}`);
    } finally {
      await endTree(this.process);
    }
  }

  command(method, path, body) {
    return call(`${this.base}/session/${this.sessionId}${path}`, method, body);
  }

  async findAll(css) {
    // WebKitWebDriver can fail a search that meets a node the page is removing ("stale
    // element reference"): a search holds no element yet, so it is simply made again.
    for (let attempt = 1; ; attempt++) {
      try {
        const found = await this.command("POST", "/elements", { using: "css selector", value: css });
        return found.map(idOf);
      } catch (e) {
        if (attempt >= 10 || !String(e.message).includes("stale element reference")) throw e;
        await sleep(50);
      }
    }
  }

  async click(elementId) {
    return this.command("POST", `/element/${elementId}/click`, {});
  }

  async text(elementId) {
    return this.command("GET", `/element/${elementId}/text`);
  }

  async attribute(elementId, name) {
    return this.command("GET", `/element/${elementId}/attribute/${name}`);
  }

  /** The first element matching `css`, waiting up to `timeoutMs` for it. */
  async find(css, timeoutMs = 5_000) {
    return this.waitFor(async () => (await this.findAll(css))[0], timeoutMs, css);
  }

  /** Types `text` into a field, replacing what it held. */
  async type(elementId, text) {
    await this.command("POST", `/element/${elementId}/clear`, {});
    return this.command("POST", `/element/${elementId}/value`, { text });
  }

  /** Runs `script` in the page with `args` and returns its result. */
  async execute(script, args = []) {
    return this.command("POST", "/execute/sync", { script, args });
  }

  /** The text of the first element matching `css`, once it satisfies `accept`. */
  async textOf(css, accept = (text) => text !== "", timeoutMs = 10_000) {
    return this.waitFor(
      async () => {
        const [found] = await this.findAll(css);
        const text = found ? await this.text(found) : "";
        return accept(text) ? text : null;
      },
      timeoutMs,
      `text of ${css}`,
    );
  }

  async within(elementId, css) {
    const found = await this.command("POST", `/element/${elementId}/elements`, {
      using: "css selector",
      value: css,
    });
    return found.map(idOf);
  }

  /**
   * Polls `probe` until it returns a truthy value, or gives up after `timeoutMs` times
   * PATIENCE: a deadline only bounds a failure, so on a busy machine a slow app still passes.
   */
  async waitFor(probe, timeoutMs, what) {
    timeoutMs *= PATIENCE;
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
      last = await probe();
      if (last) return last;
      await sleep(200);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }

  async screenshotPng() {
    return Buffer.from(await this.command("GET", "/screenshot"), "base64");
  }
}

async function call(url, method, body, timeout = 120_000) {
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeout),
  });
  const json = await response.json();
  if (!response.ok) {
    throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(json.value)}`);
  }
  return json.value;
}

/** The id of a found element (W3C key, or the single key some drivers use). */
function idOf(element) {
  return element[ELEMENT] ?? Object.values(element)[0];
}

