// Browser tests of the UI's screens: Debian's Chromium drives the Vite dev server in
// `browser-test` mode, where src/lib/backend.ts (the IPC seam) is an in-page fake.
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "tests/browser",
  fullyParallel: false,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: "http://127.0.0.1:5174",
    launchOptions: { executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium" },
    viewport: { width: 980, height: 720 },
  },
  webServer: {
    command: "npx vite --mode browser-test --host 127.0.0.1",
    url: "http://127.0.0.1:5174",
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
