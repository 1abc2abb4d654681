import { fileURLToPath } from "node:url";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

const backend = fileURLToPath(new URL("./src/lib/backend.ts", import.meta.url));
const mockBackend = fileURLToPath(new URL("./tests/browser/mock-backend.ts", import.meta.url));

/** In `browser-test` mode the IPC seam, src/lib/backend.ts, is swapped for an in-page fake. */
function mockTheBackend(): Plugin {
  return {
    name: "tokenvault-mock-backend",
    enforce: "pre",
    async resolveId(source, importer, options) {
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved?.id === backend ? mockBackend : null;
    },
  };
}

export default defineConfig(({ mode }) => ({
  plugins: [svelte(), ...(mode === "browser-test" ? [mockTheBackend()] : [])],
  clearScreen: false,
  server: { port: mode === "browser-test" ? 5174 : 5173, strictPort: true },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
}));
