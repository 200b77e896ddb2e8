import { describe, expect, it } from "vitest";
import { canManage, canSee, navigationFor, startPage } from "@/lib/auth/roles";
import { safeCallbackUrl } from "@/lib/safe-callback";

const labels = (roles: string[]) => navigationFor(roles).flatMap((section) => section.items.map((item) => item.label));

describe("navigation by role", () => {
  it("an employee sees only their own assets, invoices, attendance and profile", () => {
    expect(labels(["employee"])).toEqual(["My assets", "My invoices", "My attendance", "My profile"]);
    expect(startPage(["employee"])).toBe("/my/assets");
    expect(canSee(["employee"], "dashboard")).toBe(false);
    expect(canSee(["employee"], "assets")).toBe(false);
  });

  it("an admin sees every work area first and starts on the dashboard", () => {
    expect(labels(["admin", "employee"])).toEqual([
      "Dashboard",
      "Assets",
      "Invoices",
      "Customers",
      "Employees",
      "Departments",
      "Notifications",
      "My assets",
      "My invoices",
      "My attendance",
      "My profile",
    ]);
    expect(startPage(["admin", "employee"])).toBe("/dashboard");
  });

  it("each manager sees their own areas", () => {
    // Read access counts: an HR manager reads assets and invoices, an accountant reads employees.
    expect(labels(["asset_manager"])).toEqual(["Dashboard", "Assets", "Employees", "Departments"]);
    expect(labels(["accountant"])).toEqual([
      "Dashboard",
      "Assets",
      "Invoices",
      "Customers",
      "Employees",
      "Departments",
      "Notifications",
    ]);
    expect(labels(["hr_manager"])).toEqual(["Dashboard", "Assets", "Invoices", "Customers", "Employees", "Departments"]);
  });

  it("shows change actions only to the roles the services let change", () => {
    expect(canManage(["asset_manager"], "assets")).toBe(true);
    expect(canManage(["asset_manager"], "invoices")).toBe(false);
    expect(canManage(["accountant"], "assets")).toBe(false);
    expect(canManage(["accountant"], "invoices")).toBe(true);
    expect(canManage(["hr_manager"], "employees")).toBe(true);
    expect(canManage(["hr_manager"], "invoices")).toBe(false);
    expect(canManage(["employee"], "assets")).toBe(false);
    expect(canManage(["admin"], "employees")).toBe(true);
  });
});

describe("the login page's callbackUrl", () => {
  it("keeps paths of this app only", () => {
    expect(safeCallbackUrl("/assets?status=assigned")).toBe("/assets?status=assigned");
    for (const bad of ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", "/login", 42]) {
      expect(safeCallbackUrl(bad)).toBeUndefined();
    }
  });
});
