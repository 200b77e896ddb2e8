import "server-only";
import type { components } from "@repo/api-types/employee";
import { z } from "zod";
import type { Conforms } from "./contract";
import { callService, type ServiceContext } from "./http";
import { pageSchema, type Page } from "./page";

/**
 * Saved views — a named filter + sort + columns of a list, per user — kept by the employee
 * service (it owns the login identity) under `/api/v1/saved-views`.
 */

export const VIEW_RESOURCES = ["assets", "invoices", "customers", "employees", "departments", "notifications"] as const;
export type ViewResource = (typeof VIEW_RESOURCES)[number];

const key = z.string().regex(/^[a-z_]{1,40}$/, "lower-case letters and _ only");

/** What a user saves: the list's URL state, split as the service keeps it. */
export const viewInputSchema = z.strictObject({
  resource: z.enum(VIEW_RESOURCES),
  name: z.string().trim().min(1, "Give the view a name").max(80),
  filters: z.record(key, z.string().max(500)).default({}),
  sort: z.string().max(60).nullable().default(null),
  columns: z.array(key).max(40).nullable().default(null),
});
export type ViewInput = z.output<typeof viewInputSchema>;

export const savedViewSchema = z.object({
  id: z.number().int(),
  resource: z.enum(VIEW_RESOURCES),
  name: z.string(),
  filters: z.record(z.string(), z.string()),
  sort: z.string().nullable(),
  columns: z.array(z.string()).nullable(),
});
export type SavedView = z.infer<typeof savedViewSchema>;
true satisfies Conforms<SavedView, components["schemas"]["SavedViewPublic"]>;
true satisfies Conforms<ViewInput, components["schemas"]["SavedViewCreate"]>;

const viewPageSchema = pageSchema(savedViewSchema);

export const savedViewService = {
  list(resource: ViewResource, context: ServiceContext): Promise<Page<SavedView>> {
    return callService("employee", "/api/v1/saved-views", context, {
      query: { resource, limit: 100 },
      schema: viewPageSchema,
    });
  },
  create(view: ViewInput, context: ServiceContext): Promise<SavedView> {
    return callService("employee", "/api/v1/saved-views", context, {
      method: "POST",
      body: view,
      schema: savedViewSchema,
    });
  },
  replace(id: number, view: ViewInput, context: ServiceContext): Promise<SavedView> {
    return callService("employee", `/api/v1/saved-views/${id}`, context, {
      method: "PUT",
      body: view,
      schema: savedViewSchema,
    });
  },
  async remove(id: number, context: ServiceContext): Promise<void> {
    await callService("employee", `/api/v1/saved-views/${id}`, context, { method: "DELETE", schema: null });
  },
};
