import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import type { TestProject } from "vitest/node";
import { ensureChromium } from "./chromium";
import type { Erp } from "./erp";

const ROOT = resolve(__dirname, "../../..");
const START_TIMEOUT_MS = 15 * 60_000; // a first build of the web app on a slow machine included

let erp: ChildProcess | undefined;

/**
 * Before the browser tests: Debian's Chromium (installed with apt when missing) and the whole ERP
 * on free ports with a database of its own (`python -m tb_devstack.ephemeral`: services, workers,
 * Redis, SMTP sink and the built web app). Its JSON line tells the tests where everything is.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureChromium();
  const uv = process.env.UV ?? "uv";
  erp = spawn(uv, ["run", "--frozen", "python", "-m", "tb_devstack.ephemeral"], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  const log: string[] = [];
  erp.stderr?.setEncoding("utf8");
  erp.stderr?.on("data", (chunk: string) => {
    log.push(chunk);
    if (process.env.E2E_VERBOSE) process.stderr.write(chunk);
  });
  const info = await new Promise<Erp>((resolveInfo, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ERP did not start in time:\n${log.join("")}`)), START_TIMEOUT_MS);
    const lines = createInterface({ input: erp!.stdout! });
    lines.on("line", (line) => {
      if (!line.startsWith("{")) return;
      clearTimeout(timer);
      resolveInfo(JSON.parse(line) as Erp);
    });
    erp!.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the ERP exited (code ${code}) before it was up:\n${log.join("").slice(-6000)}`));
    });
  });
  project.provide("erp", info);

  return async () => {
    const child = erp;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((done) => child.on("exit", () => done()));
    child.stdin?.end(); // the stack stops and drops its database
    const timer = setTimeout(() => child.kill("SIGTERM"), 60_000);
    await exited;
    clearTimeout(timer);
  };
}
