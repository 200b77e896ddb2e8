import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoLogin, erp, eventually, launch, newContext, signIn } from "./support";

/**
 * The web app's face to the browser: no secret in what it downloads, the security headers on
 * pages and BFF answers, scripts that run only with the response's nonce (and no page of the app
 * tripping its own policy), and the login rate limit said in words.
 */

const APP = resolve(__dirname, "..");
const STATIC = join(APP, ".next", "static");
const ROOT = resolve(APP, "../..");

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

function readSecret(path: string): string | null {
  return existsSync(path) ? readFileSync(path, "utf8").trim() || null : null;
}

/**
 * The secrets of the stack under test, as the build saw them (the stack builds the app with its
 * environment when a source changed): JWT_SECRET and AUTH_SECRET from this environment when set,
 * else the files the stack generated in its data folder (the mail folder's grandparent), and
 * those of a local `tberp.py up` (the repository's `.data/`) that an earlier build may have seen.
 */
function stackSecrets(): { name: string; value: string }[] {
  const dataDir = resolve(erp().mail_dir, "..", "..");
  const found = [
    { name: "JWT_SECRET", value: process.env.JWT_SECRET || readSecret(join(dataDir, "jwt-secret")) },
    { name: "AUTH_SECRET", value: process.env.AUTH_SECRET || readSecret(join(dataDir, "auth-secret")) },
    { name: "JWT_SECRET of tberp.py up", value: readSecret(join(ROOT, ".data", "jwt-secret")) },
    { name: "AUTH_SECRET of tberp.py up", value: readSecret(join(ROOT, ".data", "auth-secret")) },
  ];
  return found.filter((secret): secret is { name: string; value: string } => Boolean(secret.value));
}

describe("the browser bundle", () => {
  it("holds no secret, no service URL and no server setting's name", () => {
    const files = filesUnder(STATIC);
    expect(files.length).toBeGreaterThan(10);
    const secrets = stackSecrets();
    // The stack's two generated secrets at least: otherwise this test checks nothing.
    expect(secrets.map((secret) => secret.name)).toEqual(expect.arrayContaining(["JWT_SECRET", "AUTH_SECRET"]));

    const needles: { name: string; value: string }[] = [
      ...secrets,
      // The services where the stack runs them (the web app's own URL is no secret).
      ...Object.entries(erp().services)
        .filter(([service]) => service !== "web-frontend")
        .map(([service, url]) => ({ name: `${service}'s URL`, value: new URL(url).host })),
      // lib/env.ts's defaults, its development key and the settings' names: a server module
      // pulled into a client component would bring them.
      { name: "a default service URL", value: "127.0.0.1:800" },
      { name: "the development session key", value: "tb-erp-development-only-secret" },
      ...["EMPLOYEE_SERVICE_URL", "ASSET_SERVICE_URL", "INVOICE_SERVICE_URL", "DASHBOARD_SERVICE_URL", "NOTIFICATION_SERVICE_URL", "AUTH_SECRET", "NEXTAUTH_SECRET", "JWT_SECRET"].map(
        (name) => ({ name: `the name ${name}`, value: name }),
      ),
    ];
    const leaks: string[] = [];
    for (const file of files) {
      const text = readFileSync(file).toString("latin1");
      for (const needle of needles) {
        if (text.includes(needle.value)) leaks.push(`${relative(APP, file)}: ${needle.name}`);
      }
    }
    expect(leaks).toEqual([]);

    // Say so when the build was not made by this stack (sources unchanged since an earlier one).
    const jwtFile = resolve(erp().mail_dir, "..", "..", "jwt-secret");
    if (existsSync(jwtFile) && statSync(join(APP, ".next", "BUILD_ID")).mtimeMs < statSync(jwtFile).mtimeMs) {
      console.warn("security.e2e: the build predates this stack; its own secrets were checked where found");
    }
  });
});

const STATIC_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
};

function expectSecurityHeaders(headers: Record<string, string>) {
  expect(headers).toMatchObject(STATIC_HEADERS);
  expect(headers["permissions-policy"]).toContain("camera=(), microphone=(), geolocation=()");
  // Served over plain http here: no HSTS (the unit tests show it over https).
  expect(headers["strict-transport-security"]).toBeUndefined();
}

/** The page policy's nonce, after checking the policy itself. */
function expectPagePolicy(policy: string | undefined): string {
  expect(policy).toBeDefined();
  const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'(;|$)/.exec(policy ?? "")?.[1];
  expect(nonce, policy).toBeTruthy();
  for (const directive of ["default-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"]) {
    expect(policy).toContain(directive);
  }
  expect(policy).not.toContain("unsafe-eval");
  return nonce ?? "";
}

/** Every `<script>` of the page's HTML (inline or not) carries the response's nonce. */
function expectScriptsCarry(html: string, nonce: string) {
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  const inline = scripts.filter((tag) => !/\ssrc=/.test(tag));
  expect(inline.length).toBeGreaterThan(0);
  expect(scripts.filter((tag) => !tag.includes(`nonce="${nonce}"`))).toEqual([]);
}

describe("security headers", () => {
  it("are on the sign-in page, whose scripts carry the nonce of its policy", async () => {
    const first = await fetch(new URL("/login", erp().web_url), { redirect: "manual" });
    const second = await fetch(new URL("/login", erp().web_url), { redirect: "manual" });
    expect(first.status).toBe(200);
    const headers = Object.fromEntries(first.headers);
    expectSecurityHeaders(headers);
    const nonce = expectPagePolicy(headers["content-security-policy"]);
    expect(expectPagePolicy(second.headers.get("content-security-policy") ?? undefined)).not.toBe(nonce);
    expectScriptsCarry(await first.text(), nonce);
    // The redirect of a signed-out visitor carries them too.
    const redirect = await fetch(new URL("/assets", erp().web_url), { redirect: "manual" });
    expect(redirect.status).toBe(307);
    expectSecurityHeaders(Object.fromEntries(redirect.headers));
  });

  it("are on a signed-in page and on the BFF's answers, and on the static files", async () => {
    const { context, page } = await signIn(browser, "admin");
    try {
      const dashboard = await page.goto("/dashboard");
      const pageHeaders = await dashboard!.allHeaders();
      expectSecurityHeaders(pageHeaders);
      const nonce = expectPagePolicy(pageHeaders["content-security-policy"]);
      // The nonce is hidden from the DOM: the raw HTML of a signed-in page says which scripts carry it.
      const raw = await context.request.get("/dashboard");
      const rawNonce = expectPagePolicy(raw.headers()["content-security-policy"]);
      expectScriptsCarry(await raw.text(), rawNonce);
      expect(rawNonce).not.toBe(nonce);

      for (const path of ["/api/assets?limit=1", "/api/health"]) {
        const api = await context.request.get(path);
        expect(api.status(), path).toBe(200);
        expectSecurityHeaders(api.headers());
        expect(api.headers()["content-security-policy"]).toBe(
          "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        );
      }
      const refused = await fetch(new URL("/api/assets", erp().web_url));
      expect(refused.status).toBe(401);
      expectSecurityHeaders(Object.fromEntries(refused.headers));
      expect(refused.headers.get("content-security-policy")).toContain("default-src 'none'");

      const script = /<script[^>]*\ssrc="([^"]+)"/.exec(await raw.text())?.[1];
      expect(script).toMatch(/^\/_next\/static\//);
      const asset = await context.request.get(script!);
      expect(asset.status()).toBe(200);
      expect(asset.headers()).toMatchObject(STATIC_HEADERS);
    } finally {
      await context.close();
    }
  });
});

/** Records the page's CSP violations and console errors from before its first script runs. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener("securitypolicyviolation", (event) => {
      seen.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  return async () => {
    const inPage = await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
    return [...inPage, ...consoleErrors.filter((text) => /content security policy|refused to/i.test(text))];
  };
}

describe("the policy in the browser", () => {
  it("lets the dashboard and the asset list work without a single violation", async () => {
    const { context, page } = await signIn(browser, "admin");
    try {
      const violations = await watchViolations(page);
      await page.goto("/dashboard");
      await page.getByRole("heading", { level: 1 }).first().waitFor();
      await page.waitForLoadState("networkidle");
      expect(await violations()).toEqual([]);

      await page.goto("/assets");
      await page.getByRole("heading", { level: 1 }).first().waitFor();
      await page.getByRole("table").first().waitFor();
      await page.waitForLoadState("networkidle");
      // The page is live (hydrated): its client code ran under the policy.
      const palette = page.getByPlaceholder(/Search assets, invoices/);
      await eventually(async () => {
        if (!(await palette.isVisible())) await page.keyboard.press("Control+k");
        return palette.isVisible();
      });
      expect(await violations()).toEqual([]);

      // And the policy bites: markup injected into the page cannot run script (no nonce).
      await page.evaluate(() => {
        document.body.insertAdjacentHTML("beforeend", '<img alt="" src="data:," onerror="window.__injected = true">');
      });
      await eventually(async () => (await violations()).length > 0, 5_000);
      expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
      expect((await violations()).join("\n")).toMatch(/script-src/);
    } finally {
      await context.close();
    }
  });

  it("lets the sign-in page work without a violation", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      const violations = await watchViolations(page);
      await page.goto("/login");
      await page.getByRole("button", { name: "Sign in" }).waitFor();
      await page.waitForLoadState("networkidle");
      expect(await violations()).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe("the login rate limit", () => {
  it("says how long to wait once an email has failed too often", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    // An email of its own: the limit counts failures per email, and no other test uses this one.
    const email = `rate-limit-${Date.now()}@tb-erp.example`;
    const alert = page.getByRole("form", { name: "Sign in" }).getByRole("alert");
    try {
      await page.goto("/login");
      let message = "";
      for (let attempt = 1; attempt <= 8 && !/too many/i.test(message); attempt++) {
        await page.getByLabel("Email").fill(email);
        await page.getByLabel("Password").fill(`wrong-${attempt}`);
        const answered = page.waitForResponse((response) => response.url().includes("/api/auth/callback/credentials"));
        await page.getByRole("button", { name: "Sign in" }).click();
        await answered;
        await alert.waitFor();
        message = await alert.innerText();
        if (attempt === 1) expect(message).toMatch(/invalid email or password/i);
      }
      expect(message).toMatch(/^Too many failed sign-ins for this email\. Wait \d+ seconds? before trying again\.$/);
      expect(new URL(page.url()).pathname).toBe("/login");

      // The limit is per email: another user still signs in.
      const { email: adminEmail, password } = demoLogin("admin");
      await page.getByLabel("Email").fill(adminEmail);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((url) => !url.pathname.startsWith("/login"), { timeout: 30_000 });
    } finally {
      await context.close();
    }
  });
});
