import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Debian's Chromium: the only browser the tests drive (nothing is downloaded by a test tool). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];

/** Installs Debian's `chromium` with apt when it is missing (as root, or through sudo). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const asRoot = process.getuid?.() === 0;
  const apt = (args: string[]) =>
    asRoot
      ? execFileSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } })
      : execFileSync("sudo", ["-n", "apt-get", ...args], {
          stdio: "inherit",
          env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
        });
  console.warn(`e2e: ${CHROMIUM} is missing; installing Debian's chromium with apt-get`);
  try {
    apt(["install", "-y", "--no-install-recommends", "chromium"]);
  } catch {
    // The package lists may be missing or stale on a fresh machine.
    apt(["update"]);
    apt(["install", "-y", "--no-install-recommends", "chromium"]);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing`);
}
