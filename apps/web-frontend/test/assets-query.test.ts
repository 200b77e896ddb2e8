import { describe, expect, it } from "vitest";
import {
  assetsExportQuerySchema,
  assetsPageQuerySchema,
  assetsQuerySchema,
  bulkBodySchema,
  filtersOf,
  serviceQuery,
} from "@/lib/assets-query";
import { toCreateBody, toUpdateBody, formDefaults, assetFormSchema } from "@/components/assets/asset-form-values";
import { fileNameOf, importProblems } from "@/lib/client/assets-api";

describe("the assets list's query", () => {
  it("takes every filter the asset service has, normalised", () => {
    const parsed = assetsQuerySchema.parse({
      q: "think",
      status: "assigned",
      category_id: "1",
      assigned_employee_id: "5",
      location: "office",
      serial_number: "PF3",
      currency: "eur",
      purchased_from: "2025-01-01",
      purchased_to: "2025-12-31",
      cost_min: "100",
      cost_max: "2500.50",
      ids: "3,5,8",
      sort: "-purchase_cost",
      limit: "50",
      offset: "100",
    });
    expect(parsed).toEqual({
      q: "think",
      status: "assigned",
      category_id: 1,
      assigned_employee_id: 5,
      location: "office",
      serial_number: "PF3",
      currency: "EUR",
      purchased_from: "2025-01-01",
      purchased_to: "2025-12-31",
      cost_min: "100",
      cost_max: "2500.50",
      ids: "3,5,8",
      sort: "-purchase_cost",
      limit: 50,
      offset: 100,
    });
  });

  it("refuses bad values, naming each parameter", () => {
    const result = assetsQuerySchema.safeParse({
      currency: "EURO",
      purchased_from: "2025-02-30x",
      cost_min: "1e3",
      cost_max: "-5",
      ids: "1,,2",
      category_id: "0",
    });
    expect(result.success).toBe(false);
    const fields = [...new Set(result.error?.issues.map((issue) => issue.path.join(".")))].sort();
    expect(fields).toEqual(["category_id", "cost_max", "cost_min", "currency", "ids", "purchased_from"]);
  });

  it("refuses unknown parameters (the BFF is strict) but the page's URL keeps columns and ignores others", () => {
    expect(assetsQuerySchema.safeParse({ columns: "name" }).success).toBe(false);
    expect(assetsQuerySchema.safeParse({ view: "3" }).success).toBe(false);
    const page = assetsPageQuerySchema.parse({ columns: "asset_tag,name", view: "3", status: "retired" });
    expect(page).toMatchObject({ columns: "asset_tag,name", status: "retired", limit: 20, offset: 0 });
    expect(serviceQuery(page)).not.toHaveProperty("columns");
    expect(assetsQuerySchema.safeParse(serviceQuery(page)).success).toBe(true);
  });

  it("at most 500 ids in a selection filter", () => {
    const many = Array.from({ length: 501 }, (_, index) => index + 1).join(",");
    expect(assetsQuerySchema.safeParse({ ids: many }).success).toBe(false);
    expect(assetsQuerySchema.safeParse({ ids: many.split(",").slice(0, 500).join(",") }).success).toBe(true);
  });

  it("an export takes the filters only, and filtersOf keeps the set ones", () => {
    expect(assetsExportQuerySchema.safeParse({ status: "in_stock", offset: "20" }).success).toBe(false);
    const query = assetsQuerySchema.parse({ status: "in_stock", location: "Depot", limit: "50", sort: "name" });
    expect(filtersOf(query)).toEqual({ status: "in_stock", location: "Depot" });
  });

  it("a bulk body names the action and 1 to 200 ids", () => {
    expect(bulkBodySchema.safeParse({ action: "set_category", ids: [1, 2], category_id: 3 }).success).toBe(true);
    expect(bulkBodySchema.safeParse({ action: "assign", ids: Array.from({ length: 201 }, (_, i) => i + 1), employee_id: 1 }).success).toBe(false);
    expect(bulkBodySchema.safeParse({ action: "set_status", ids: [1], status: "assigned" }).success).toBe(false);
  });
});

describe("the asset form's bodies", () => {
  const filled = {
    ...formDefaults(),
    name: " ThinkPad ",
    category_id: "1",
    purchase_date: "2025-02-03",
    purchase_cost: "1480.00",
    currency: "usd",
    useful_life_months: "36",
  };

  it("create: filled fields only, money as text, ids and months as numbers", () => {
    expect(assetFormSchema.safeParse(filled).success).toBe(true);
    expect(toCreateBody(filled)).toEqual({
      name: "ThinkPad",
      category_id: 1,
      purchase_date: "2025-02-03",
      purchase_cost: "1480.00",
      currency: "USD",
      useful_life_months: 36,
    });
  });

  it("create drops a declining rate unless the method is declining balance", () => {
    expect(toCreateBody({ ...filled, declining_rate: "20" })).not.toHaveProperty("declining_rate");
    expect(toCreateBody({ ...filled, depreciation_method: "declining_balance", declining_rate: "20" })).toMatchObject({ declining_rate: "20" });
  });

  it("update: only changed fields; an emptied optional field is null", () => {
    const values = { ...filled, location: "", purchase_cost: "1500" };
    expect(toUpdateBody(values, { location: true, purchase_cost: true })).toEqual({ location: null, purchase_cost: "1500" });
  });

  it("the form refuses money with 3 decimals and a bad tag", () => {
    const result = assetFormSchema.safeParse({ ...filled, purchase_cost: "1.234", asset_tag: "-bad" });
    expect(result.error?.issues.map((issue) => issue.path[0]).sort()).toEqual(["asset_tag", "purchase_cost"]);
  });
});

describe("browser helpers", () => {
  it("reads the file name of a content-disposition", () => {
    expect(fileNameOf('attachment; filename="assets-2026-11-30.csv"')).toBe("assets-2026-11-30.csv");
    expect(fileNameOf("attachment; filename*=UTF-8''assets%20x.csv")).toBe("assets x.csv");
    expect(fileNameOf(null)).toBe("assets.csv");
  });

  it("lists an import's failing rows from the service's errors, else from its detail", () => {
    const base = { status: 422, message: "", code: "invalid_csv", fieldErrors: {} };
    expect(
      importProblems({ ...base, body: { errors: [{ row: 3, field: "purchase_cost", message: "bad" }, { row: 1, field: null, message: "no header" }] } }),
    ).toEqual([
      { row: 3, field: "purchase_cost", message: "bad" },
      { row: 1, field: null, message: "no header" },
    ]);
    expect(
      importProblems({ ...base, body: { detail: [{ loc: ["body", "file", 4, "name"], field: "file", msg: "row 4, name: required" }] } }),
    ).toEqual([{ row: 4, field: "name", message: "row 4, name: required" }]);
  });
});
