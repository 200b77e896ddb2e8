#!/usr/bin/env node
// Builds the web app for `next start` unless the last build is newer than every file it is built
// from (this app's sources, the shared packages, the lockfile): `up` runs this before serving, so
// a second `up` starts at once and an edited source is never served from an old build.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const app = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const root = resolve(app, "../..");
// Not part of the build: the tests, and what builds and tests write.
const SKIP = new Set(["node_modules", ".next", "test-results", ".turbo", "coverage", "e2e", "test"]);

function newest(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) {
    if (SKIP.has(entry)) continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

const sources = [
  app,
  join(root, "packages", "ui"),
  join(root, "packages", "api-types", "src"),
  join(root, "packages", "typescript-config"),
  join(root, "package-lock.json"),
];
const built = newest(join(app, ".next", "BUILD_ID"));
const changed = Math.max(...sources.map(newest));
if (built > changed) {
  process.stdout.write("web-frontend: the build is up to date\n");
  process.exit(0);
}
process.stdout.write("web-frontend: building (next build)\n");
const next = join(root, "node_modules", "next", "dist", "bin", "next");
const result = spawnSync(process.execPath, [next, "build", app], {
  stdio: "inherit",
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
});
process.exit(result.status ?? 1);
