import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@/": here("./"),
      // `server-only` throws outside Next's server bundles; the tests are server code.
      "server-only": here("./test/support/server-only.ts"),
    },
  },
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
    // Settings the modules read at import: the tests own them, whatever the shell has.
    // REDIS_URL empty: the BFF keeps no composed answer unless a test builds its own keeper.
    env: { NODE_ENV: "test", AUTH_SECRET: "test-secret-test-secret-test-secret-1234", REDIS_URL: "" },
    unstubGlobals: true,
  },
});
