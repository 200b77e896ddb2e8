import "server-only";
import type { components } from "@repo/api-types/dashboard";
import { z } from "zod";
import type { Conforms } from "./contract";
import { callService, type ServiceContext } from "./http";

type Schemas = components["schemas"];

const namedCount = z.object({
  name: z.string().nullable(),
  count: z.number().int(),
});

export const dashboardSummarySchema = z.object({
  assets: z.object({
    count: z.number().int(),
    by_status: z.record(z.string(), z.number().int()),
    by_category: z.array(namedCount.extend({ category_id: z.number().int().nullable() })),
    totals: z.array(z.object({ currency: z.string(), cost: z.string(), book_value: z.string() })),
  }),
  headcount: z.object({
    total: z.number().int(),
    by_department: z.array(namedCount.extend({ department_id: z.number().int().nullable() })),
  }),
  invoices: z.object({
    by_month: z.array(
      z.object({
        month: z.string(),
        currency: z.string(),
        invoiced: z.string(),
        collected: z.string(),
        outstanding: z.string(),
      }),
    ),
  }),
  updated_at: z.string().nullable(),
});
export type DashboardSummary = z.infer<typeof dashboardSummarySchema>;
true satisfies Conforms<DashboardSummary, Schemas["DashboardSummary"]>;
true satisfies Conforms<DashboardSummary["assets"], Schemas["AssetFigures"]>;
true satisfies Conforms<DashboardSummary["headcount"], Schemas["Headcount"]>;
true satisfies Conforms<
  DashboardSummary["invoices"]["by_month"][number],
  Schemas["MonthFigures"]
>;

export const dashboardService = {
  /** `GET /dashboard/summary`: company-wide figures; 403 for the `employee`-only role. */
  summary(context: ServiceContext) {
    return callService("dashboard", "/api/v1/dashboard/summary", context, {
      schema: dashboardSummarySchema,
    });
  },
};
