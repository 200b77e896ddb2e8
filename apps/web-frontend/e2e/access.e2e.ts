import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { erp, launch, newContext, screenshot, signIn } from "./support";

/**
 * Who sees what: each demo user signs in through the sign-in page and sees exactly the areas the
 * services let their roles read (every demo user also holds `employee`, so "My …" pages too); an
 * area outside their roles is refused by the page and by the services behind it.
 */

const OWN = ["My assets", "My invoices", "My attendance", "My profile"];

// From the RBAC table of the product (not from the app's own code).
const NAVIGATION: Record<string, string[]> = {
  admin: ["Dashboard", "Assets", "Invoices", "Customers", "Employees", "Departments", "Notifications", ...OWN],
  asset_manager: ["Dashboard", "Assets", "Employees", "Departments", ...OWN],
  accountant: ["Dashboard", "Assets", "Invoices", "Customers", "Employees", "Departments", "Notifications", ...OWN],
  hr_manager: ["Dashboard", "Assets", "Invoices", "Customers", "Employees", "Departments", ...OWN],
};

const REFUSED: Record<string, string[]> = {
  admin: [],
  asset_manager: ["/invoices", "/customers", "/notifications"],
  accountant: [],
  hr_manager: ["/notifications"],
};

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

describe("signing in as each role", () => {
  for (const role of Object.keys(NAVIGATION)) {
    it(`${role} sees only the areas of their roles`, async () => {
      const { context, page } = await signIn(browser, role);
      try {
        expect(new URL(page.url()).pathname).toBe("/dashboard");
        const nav = page.getByRole("navigation", { name: "Main" });
        const labels = (await nav.getByRole("link").allInnerTexts()).map((text) => text.trim());
        expect(labels).toEqual(NAVIGATION[role]);
        await page.getByRole("heading", { level: 1 }).first().waitFor();
        await screenshot(page, `dashboard-${role}`);
        for (const path of REFUSED[role] ?? []) {
          await page.goto(path);
          await expect(page.getByText("Not available to you").first().isVisible()).resolves.toBe(true);
        }
      } finally {
        await context.close();
      }
    });
  }

  it("a wrong password is refused on the sign-in page with a message", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      await page.goto("/login");
      await page.getByLabel("Email").fill("admin@tb-erp.example");
      await page.getByLabel("Password").fill("not-the-password");
      await page.getByRole("button", { name: "Sign in" }).click();
      // The form's own alert (Next's route announcer is an alert too).
      const alert = page.getByRole("form", { name: "Sign in" }).getByRole("alert");
      await alert.waitFor();
      expect(await alert.innerText()).toMatch(/invalid|wrong|incorrect/i);
      expect(new URL(page.url()).pathname).toBe("/login");
      await screenshot(page, "login-refused");
    } finally {
      await context.close();
    }
  });

  it("signed out, a page sends you to sign in and brings you back after", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      await page.goto("/assets?status=assigned");
      expect(new URL(page.url()).pathname).toBe("/login");
      const { email, password } = erp().logins.find((login) => login.role === "asset_manager")!;
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((url) => url.pathname === "/assets", { timeout: 30_000 });
      expect(new URL(page.url()).searchParams.get("status")).toBe("assigned");
    } finally {
      await context.close();
    }
  });
});

describe("the session cookie", () => {
  const API_ROUTES = [
    "/api/assets",
    "/api/dashboard/assets-with-owners",
    "/api/invoices",
    "/api/customers",
    "/api/employees",
    "/api/departments",
    "/api/notifications",
    "/api/search?q=a",
    "/api/saved-views?resource=assets",
  ];

  it("no /api route answers without a session cookie, or with a forged or tampered one", async () => {
    const { context } = await signIn(browser, "admin");
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name.endsWith("next-auth.session-token"));
    expect(session, "the session cookie").toBeDefined();
    expect(session!.httpOnly).toBe(true);
    expect(session!.sameSite).toBe("Lax");
    const base = erp().web_url;
    const tampered = session!.value.slice(0, -4) + (session!.value.endsWith("AAAA") ? "BBBB" : "AAAA");
    const variants: Record<string, string | null> = {
      missing: null,
      forged: "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..forged.forged.forged",
      tampered,
    };
    try {
      // The real cookie works (so a 401 below is the cookie's doing, not a broken route).
      const ok = await fetch(`${base}/api/assets`, { headers: { cookie: `${session!.name}=${session!.value}` } });
      expect(ok.status).toBe(200);
      for (const [what, value] of Object.entries(variants)) {
        for (const route of API_ROUTES) {
          const headers: Record<string, string> = value === null ? {} : { cookie: `${session!.name}=${value}` };
          const answer = await fetch(`${base}${route}`, { headers });
          expect(answer.status, `${what} cookie on ${route}`).toBe(401);
        }
      }
      // The token never reaches the browser's JavaScript.
      const sessionJson = await (
        await fetch(`${base}/api/auth/session`, { headers: { cookie: `${session!.name}=${session!.value}` } })
      ).text();
      expect(sessionJson).not.toMatch(/access_?token|eyJ[a-zA-Z0-9_-]{10,}\.[a-zA-Z0-9_-]{10,}\./i);
    } finally {
      await context.close();
    }
  });

  it("a state-changing call from another site is refused even with the cookie", async () => {
    const { context } = await signIn(browser, "admin");
    const session = (await context.cookies()).find((cookie) => cookie.name.endsWith("next-auth.session-token"))!;
    try {
      const answer = await fetch(`${erp().web_url}/api/attendance/check-in`, {
        method: "POST",
        headers: { cookie: `${session.name}=${session.value}`, origin: "https://evil.example" },
      });
      expect(answer.status).toBe(403);
    } finally {
      await context.close();
    }
  });
});
