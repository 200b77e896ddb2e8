import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeViolations, launch, newContext, screenshot, seriousA11yViolations, signIn } from "./support";

/**
 * axe-core on the main pages, as the people who use them see them: no serious or critical
 * violation. Each page is also saved as a screenshot (test-results/).
 */

const PAGES: Record<string, string[]> = {
  admin: [
    "/dashboard",
    "/assets",
    "/assets/new",
    "/assets/import",
    "/invoices",
    "/invoices/new",
    "/invoices/aging",
    "/customers",
    "/employees",
    "/employees/new",
    "/employees/attendance",
    "/departments",
    "/notifications",
  ],
  employee: ["/my/assets", "/my/invoices", "/my/attendance", "/my/profile"],
};

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

describe("accessibility of the main pages (axe-core)", () => {
  it("the sign-in page", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      await page.goto("/login");
      await page.getByRole("button", { name: "Sign in" }).waitFor();
      await screenshot(page, "login");
      const violations = await seriousA11yViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  for (const [role, paths] of Object.entries(PAGES)) {
    it(`the pages of ${role}`, async () => {
      const { context, page } = await signIn(browser, role);
      const failures: string[] = [];
      try {
        for (const path of paths) {
          await page.goto(path);
          await page.getByRole("heading", { level: 1 }).first().waitFor();
          // Lists load on the client: wait until nothing is busy any more.
          await page
            .waitForFunction(() => document.querySelectorAll('[aria-busy="true"], [role="status"] .animate-spin').length === 0, null, {
              timeout: 15_000,
            })
            .catch(() => undefined);
          await screenshot(page, `page${path.replaceAll("/", "-")}`);
          const violations = await seriousA11yViolations(page);
          if (violations.length > 0) failures.push(`${path}\n${describeViolations(violations)}`);
        }
      } finally {
        await context.close();
      }
      expect(failures, failures.join("\n\n")).toEqual([]);
    });
  }
});
