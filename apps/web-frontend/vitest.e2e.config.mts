import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The browser tests: Debian's Chromium driven by playwright-core against the whole ERP, started
 * once for the run by e2e/global-setup.ts. One file at a time: they share the ERP's data.
 */
export default defineConfig({
  resolve: { alias: { "@/": here("./") } },
  test: {
    environment: "node",
    include: ["e2e/**/*.e2e.ts"],
    globalSetup: ["e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
