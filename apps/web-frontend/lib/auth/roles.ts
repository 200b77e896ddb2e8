/**
 * Who sees which area of the app: the navigation and the pages' guards read this one table.
 * The services still decide what each role may read or change; this only keeps people out of
 * pages that would answer them 403.
 */

export type Area =
  | "dashboard"
  | "assets"
  | "invoices"
  | "customers"
  | "employees"
  | "departments"
  | "notifications"
  | "my-assets"
  | "my-invoices"
  | "my-attendance"
  | "my-profile";

export interface NavItem {
  area: Area;
  label: string;
  href: string;
}

export interface NavSection {
  label: string;
  items: NavItem[];
}

const MANAGERS = ["admin", "hr_manager", "asset_manager", "accountant"] as const;

/** Who may open each area: the services' read permissions, role by role. */
const AREAS: Record<Area, { label: string; href: string; roles: readonly string[] }> = {
  dashboard: { label: "Dashboard", href: "/dashboard", roles: MANAGERS },
  assets: { label: "Assets", href: "/assets", roles: ["admin", "asset_manager", "accountant", "hr_manager"] },
  invoices: { label: "Invoices", href: "/invoices", roles: ["admin", "accountant", "hr_manager"] },
  customers: { label: "Customers", href: "/customers", roles: ["admin", "accountant", "hr_manager"] },
  employees: { label: "Employees", href: "/employees", roles: MANAGERS },
  departments: { label: "Departments", href: "/departments", roles: MANAGERS },
  notifications: { label: "Notifications", href: "/notifications", roles: ["admin", "accountant"] },
  "my-assets": { label: "My assets", href: "/my/assets", roles: ["employee"] },
  "my-invoices": { label: "My invoices", href: "/my/invoices", roles: ["employee"] },
  "my-attendance": { label: "My attendance", href: "/my/attendance", roles: ["employee"] },
  "my-profile": { label: "My profile", href: "/my/profile", roles: ["employee"] },
};

/** What a role may change: the services' write permissions (they still decide on every call). */
export type Domain = "assets" | "invoices" | "employees";

const WRITERS: Record<Domain, readonly string[]> = {
  assets: ["admin", "asset_manager"],
  invoices: ["admin", "accountant"],
  employees: ["admin", "hr_manager"],
};

/** Whether the user's roles may change records of a domain: the app shows the actions only then. */
export function canManage(roles: readonly string[], domain: Domain): boolean {
  return WRITERS[domain].some((role) => roles.includes(role));
}

const WORK_AREAS: Area[] = ["dashboard", "assets", "invoices", "customers", "employees", "departments", "notifications"];
const OWN_AREAS: Area[] = ["my-assets", "my-invoices", "my-attendance", "my-profile"];

export function canSee(roles: readonly string[], area: Area): boolean {
  return AREAS[area].roles.some((role) => roles.includes(role));
}

function items(roles: readonly string[], areas: Area[]): NavItem[] {
  return areas
    .filter((area) => canSee(roles, area))
    .map((area) => ({ area, label: AREAS[area].label, href: AREAS[area].href }));
}

/** The navigation of a user: their work areas, then their own records. */
export function navigationFor(roles: readonly string[]): NavSection[] {
  const sections: NavSection[] = [
    { label: "Work", items: items(roles, WORK_AREAS) },
    { label: "Me", items: items(roles, OWN_AREAS) },
  ];
  return sections.filter((section) => section.items.length > 0);
}

/** Where a user lands after signing in: their first work area, else their own assets. */
export function startPage(roles: readonly string[]): string {
  const first = navigationFor(roles)[0]?.items[0];
  return first?.href ?? "/my/profile";
}

export function areaOf(href: string): Area | undefined {
  return (Object.keys(AREAS) as Area[]).find((area) => AREAS[area].href === href);
}

export interface PaletteAction {
  label: string;
  href: string;
}

/** The actions the command palette offers a user: only what their roles may do. */
export function actionsFor(roles: readonly string[]): PaletteAction[] {
  const actions: PaletteAction[] = [];
  if (canManage(roles, "assets")) {
    actions.push({ label: "New asset", href: "/assets/new" }, { label: "Import assets from CSV", href: "/assets/import" });
  }
  if (canManage(roles, "invoices")) {
    actions.push({ label: "New invoice", href: "/invoices/new" });
  }
  if (canSee(roles, "invoices")) actions.push({ label: "Aging report", href: "/invoices/aging" });
  if (canManage(roles, "employees")) {
    actions.push({ label: "New employee", href: "/employees/new" });
  }
  if (canSee(roles, "employees")) actions.push({ label: "Attendance overview", href: "/employees/attendance" });
  return actions;
}
