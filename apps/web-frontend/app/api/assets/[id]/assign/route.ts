import { routeWithIds } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { assignBodySchema } from "@/lib/assets-query";
import { assetService } from "@/lib/services/asset";

/** `POST /api/assets/{id}/assign` `{employee_id, notes?}`: hand an in-stock asset to an employee. */
export const POST = routeWithIds({ ids: ["id"], body: assignBodySchema }, async ({ ids: { id }, body, context }) =>
  json(await assetService.assign(id, body, context)),
);
