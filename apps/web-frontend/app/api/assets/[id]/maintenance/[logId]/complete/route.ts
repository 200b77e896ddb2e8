import { routeWithIds } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { maintenanceCompleteBodySchema } from "@/lib/assets-query";
import { assetService } from "@/lib/services/asset";

/** `POST /api/assets/{id}/maintenance/{logId}/complete` `{completed_at?, cost?, next_due_date?}`. */
export const POST = routeWithIds(
  { ids: ["id", "logId"], body: maintenanceCompleteBodySchema.optional() },
  async ({ ids, context, body }) => json(await assetService.completeMaintenance(ids.id, ids.logId, body ?? {}, context)),
);
