import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { dashboardAssetsWithOwners } from "@/lib/compose/dashboard";

const querySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

/**
 * `GET /api/dashboard/assets-with-owners?limit=`: the dashboard's figures and the latest assigned
 * assets with their owners' names; `partial: true` when the dashboard or employee service is down.
 */
export const GET = apiRoute({ query: querySchema }, async ({ query, context }) =>
  json(await dashboardAssetsWithOwners(context, { limit: query.limit })),
);
