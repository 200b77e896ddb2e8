import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, launch, screenshot, signIn } from "./support";

/**
 * Daily work across the services, through the screens only: what one person does must show up on
 * another person's screens, carried by the events between the services.
 */

let browser: Browser;
const sessions: BrowserContext[] = [];

async function as(role: string): Promise<Page> {
  const { context, page } = await signIn(browser, role);
  sessions.push(context);
  return page;
}

/** A suffix that keeps this run's records apart from the demo data and from earlier runs. */
const RUN = Date.now().toString(36).slice(-5);

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  for (const context of sessions) await context.close();
  await browser?.close();
});

function idFrom(page: Page, prefix: string): number {
  const match = new RegExp(`^/${prefix}/(\\d+)$`).exec(new URL(page.url()).pathname);
  if (!match) throw new Error(`not on a /${prefix}/{id} page: ${page.url()}`);
  return Number(match[1]);
}

describe("an employee, an asset, and the asset back in stock when they leave", () => {
  it("HR hires, the asset manager assigns and sees the owner's name, HR terminates, the asset returns", async () => {
    const lastName = `Hopper-${RUN}`;
    const fullName = `Grace ${lastName}`;

    // HR registers the new employee.
    const hr = await as("hr_manager");
    await hr.goto("/employees/new");
    await hr.getByLabel("First name").fill("Grace");
    await hr.getByLabel("Last name").fill(lastName);
    await hr.getByLabel("Email").fill(`grace.${RUN}@tb-erp.example`);
    await hr.getByLabel("Job title").fill("Engineer");
    await hr.getByRole("button", { name: "Create employee" }).click();
    await hr.waitForURL(/\/employees\/\d+/);
    const employeeId = idFrom(hr, "employees");
    await hr.getByRole("heading", { level: 1, name: fullName }).waitFor();
    await screenshot(hr, "employee-detail");

    // The asset manager registers a laptop and assigns it to her.
    const manager = await as("asset_manager");
    await manager.goto("/assets/new");
    const tag = `E2E-${RUN}`.toUpperCase();
    await manager.getByLabel("Name").fill(`Laptop for ${fullName}`);
    await manager.getByLabel("Asset tag").fill(tag);
    await manager.getByLabel("Category").selectOption({ label: "Laptops (LAP)" });
    await manager.getByLabel("Purchase date").fill("2026-11-02");
    await manager.getByLabel("Purchase cost").fill("1480.00");
    await manager.getByLabel("Currency").fill("EUR");
    await manager.getByRole("button", { name: "Register the asset" }).click();
    await manager.waitForURL(/\/assets\/\d+/);
    const assetId = idFrom(manager, "assets");

    await manager.getByRole("button", { name: "Assign…" }).click();
    const dialog = manager.getByRole("dialog");
    // Hired a moment ago, and already assignable: the employee event reached the asset service.
    await eventually(async () => {
      const box = dialog.getByRole("searchbox", { name: "Employee" });
      await box.fill("");
      await box.fill(lastName);
      return dialog
        .getByRole("button", { name: new RegExp(lastName) })
        .first()
        .isVisible({ timeout: 2_000 })
        .catch(() => false);
    });
    await dialog.getByRole("button", { name: new RegExp(lastName) }).first().click();
    await dialog.getByRole("button", { name: "Assign", exact: true }).click();
    await manager.getByText("Assigned", { exact: true }).first().waitFor();

    // The register names the owner (composed from the employee service).
    await manager.goto(`/assets?q=${tag}`);
    const row = manager.getByRole("row", { name: new RegExp(tag) });
    await row.waitFor();
    expect(await row.innerText()).toContain(fullName);
    await screenshot(manager, "assets-list");

    // HR terminates her; the asset comes back to stock by itself.
    await hr.goto(`/employees/${employeeId}`);
    await hr.getByRole("button", { name: "Terminate…" }).click();
    await hr.getByRole("dialog").getByRole("button", { name: "Terminate", exact: true }).click();
    await hr.getByText("Terminated", { exact: true }).first().waitFor();

    await eventually(async () => {
      await manager.goto(`/assets/${assetId}`);
      return manager
        .getByText("In stock", { exact: true })
        .first()
        .isVisible()
        .catch(() => false);
    }, 30_000);
    await screenshot(manager, "asset-detail");
  });
});

interface Month {
  month: string;
  currency: string;
  collected: string;
}

async function collectedThisMonth(page: Page, currency: string): Promise<number> {
  const answer = await page.request.get("/api/dashboard/assets-with-owners");
  expect(answer.status()).toBe(200);
  const body = (await answer.json()) as { summary: { invoices: { by_month: Month[] } } | null };
  const month = new Date().toISOString().slice(0, 7);
  const row = body.summary?.invoices.by_month.find((m) => m.month === month && m.currency === currency);
  return Number(row?.collected ?? "0");
}

describe("an invoice from draft to paid", () => {
  it("the accountant writes, issues and is paid in two parts; status and dashboard follow", async () => {
    const page = await as("accountant");
    const before = await collectedThisMonth(page, "EUR");

    await page.goto("/invoices/new");
    await page.getByRole("combobox", { name: "Customer" }).fill("Northwind");
    await page.getByRole("option", { name: /Northwind Traders/ }).first().click();
    await page.getByLabel("Description").first().fill(`Consulting ${RUN}`);
    await page.getByLabel("Quantity").first().fill("2");
    await page.getByLabel("Unit price").first().fill("150.00");
    await page.getByLabel("Tax %").first().fill("20");
    // Live totals, computed and rounded by the invoice service: 2 × 150.00 + 20 % tax.
    await eventually(async () => /360\.00/.test(await page.getByRole("main").innerText()));
    await screenshot(page, "invoice-editor");

    await page.getByRole("button", { name: "Save and issue" }).click();
    await page.waitForURL(/\/invoices\/\d+/);
    const invoiceId = idFrom(page, "invoices");
    await page.getByText("Issued", { exact: true }).first().waitFor();

    for (const [amount, status] of [
      ["160.00", "Partly paid"],
      ["200.00", "Paid"],
    ] as const) {
      await page.getByRole("button", { name: "Record payment" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel(/^Amount/).fill(amount);
      await dialog.getByRole("button", { name: "Record payment" }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.getByText(status, { exact: true }).first().waitFor();
    }
    await screenshot(page, "invoice-detail");
    expect(idFrom(page, "invoices")).toBe(invoiceId);

    // The dashboard's read model hears of both payments.
    const after = await eventually(async () => {
      const now = await collectedThisMonth(page, "EUR");
      return Math.abs(now - (before + 360)) < 0.005 ? now : null;
    }, 30_000);
    expect(after).toBeCloseTo(before + 360, 2);
    await page.goto("/dashboard");
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    await screenshot(page, "dashboard-after-payment");
  });
});
