// The UI benchmarks: the browser tests' set-up (the backend faked), over a production build,
// with bench/*.bench.ts as the tests.
import { defineConfig } from "@playwright/test";
import base from "../playwright.config";

export default defineConfig({
  ...base,
  testDir: ".",
  testMatch: "**/*.bench.ts",
  timeout: 120_000,
  webServer: {
    // The production build, as the app ships it (the dev server's Svelte is much slower).
    command:
      "npx vite build --mode browser-test --outDir dist-bench --emptyOutDir && npx vite preview --mode browser-test --outDir dist-bench --host 127.0.0.1 --port 5174 --strictPort",
    url: "http://127.0.0.1:5174",
    cwd: "..",
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
