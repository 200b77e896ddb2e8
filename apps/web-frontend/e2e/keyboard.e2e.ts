import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, launch, screenshot, signIn } from "./support";

/** The command palette and saved views, used from the keyboard. */

let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe("keyboard work", () => {
  it("Ctrl-K finds an asset by its tag and Enter opens it; a saved view brings its filters back", async () => {
    const session = await signIn(browser, "asset_manager");
    context = session.context;
    const page = session.page;

    await page.goto("/assets");
    await page.getByRole("heading", { level: 1, name: "Assets" }).waitFor();
    // Until the page is hydrated, the shortcut has no listener yet: press again until it opens.
    const palette = page.getByPlaceholder(/Search assets, invoices/);
    await eventually(async () => {
      if (!(await palette.isVisible())) await page.keyboard.press("Control+k");
      return palette.isVisible();
    });
    await page.keyboard.type("LAP-0001");
    await page.getByRole("option", { name: /LAP-0001/ }).first().waitFor();
    await screenshot(page, "command-palette");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/assets\/\d+$/);
    expect(await page.getByRole("main").innerText()).toContain("LAP-0001");

    // Save the in-maintenance filter, sorted by cost, as a named view; open it again later.
    await page.goto("/assets?status=in_maintenance&sort=-purchase_cost");
    await page.getByRole("button", { name: "Save view…" }).click();
    const name = `Being repaired ${Date.now().toString(36).slice(-4)}`;
    await page.getByRole("dialog").getByLabel("Name").fill(name);
    await page.keyboard.press("Enter");
    await page.getByText(`View “${name}” saved`).waitFor();

    await page.goto("/assets");
    await page.getByLabel("Saved view").selectOption({ label: name });
    await page.waitForURL((url) => url.searchParams.get("status") === "in_maintenance");
    expect(new URL(page.url()).searchParams.get("sort")).toBe("-purchase_cost");
  });
});
