import { json } from "@/lib/api/respond";
import { assignBodySchema } from "@/lib/assets-query";
import { assetService } from "@/lib/services/asset";
import { assetRoute } from "../../_asset-id";

/** `POST /api/assets/{id}/assign` `{employee_id, notes?}`: hand an in-stock asset to an employee. */
export const POST = assetRoute({ body: assignBodySchema }, async ({ id, body, context }) =>
  json(await assetService.assign(id, body, context)),
);
