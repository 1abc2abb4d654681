// Browser tests of the UI's screens: Debian's Chromium drives the Vite dev server in
// `browser-test` mode, where src/lib/backend.ts (the IPC seam) is an in-page fake.
import { defineConfig } from "@playwright/test";

// TOKENVAULT_UI_TEST_PORT moves the server off 5174, for a second run beside a first.
const port = Number(process.env.TOKENVAULT_UI_TEST_PORT ?? 5174);

export default defineConfig({
  testDir: "tests/browser",
  fullyParallel: false,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: { executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium" },
    viewport: { width: 980, height: 720 },
  },
  webServer: {
    command: `npx vite --mode browser-test --host 127.0.0.1 --port ${port}`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
