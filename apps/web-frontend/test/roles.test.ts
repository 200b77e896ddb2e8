import { describe, expect, it } from "vitest";
import { canSee, navigationFor, startPage } from "@/lib/auth/roles";
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
      "Employees",
      "My assets",
      "My invoices",
      "My attendance",
      "My profile",
    ]);
    expect(startPage(["admin", "employee"])).toBe("/dashboard");
  });

  it("each manager sees their own areas", () => {
    expect(labels(["asset_manager"])).toEqual(["Dashboard", "Assets"]);
    expect(labels(["accountant"])).toEqual(["Dashboard", "Assets", "Invoices"]);
    expect(labels(["hr_manager"])).toEqual(["Dashboard", "Employees"]);
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
