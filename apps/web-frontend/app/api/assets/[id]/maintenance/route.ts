import { routeWithIds } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { maintenanceCreateBodySchema } from "@/lib/assets-query";
import { assetService } from "@/lib/services/asset";

/** `POST /api/assets/{id}/maintenance`: open (or record) a maintenance; 201 with the log. */
export const POST = routeWithIds({ ids: ["id"], body: maintenanceCreateBodySchema }, async ({ ids: { id }, body, context }) =>
  json(await assetService.openMaintenance(id, body, context), 201),
);
