// The UI benchmarks: the browser tests' set-up, with bench/*.bench.ts as the tests.
import { defineConfig } from "@playwright/test";
import base from "../playwright.config";

export default defineConfig({
  ...base,
  testDir: ".",
  testMatch: "**/*.bench.ts",
  timeout: 120_000,
});
