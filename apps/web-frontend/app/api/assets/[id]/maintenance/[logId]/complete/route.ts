import { json } from "@/lib/api/respond";
import { maintenanceCompleteBodySchema } from "@/lib/assets-query";
import { assetService } from "@/lib/services/asset";
import { assetRoute } from "../../../../_asset-id";

/** `POST /api/assets/{id}/maintenance/{logId}/complete` `{completed_at?, cost?, next_due_date?}`. */
export const POST = assetRoute(
  { body: maintenanceCompleteBodySchema.optional() },
  async ({ id, params, context, body }) =>
    json(await assetService.completeMaintenance(id, Number(params.logId), body ?? {}, context)),
);
