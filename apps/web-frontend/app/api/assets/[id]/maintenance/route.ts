import { json } from "@/lib/api/respond";
import { maintenanceCreateBodySchema } from "@/lib/assets-query";
import { assetService } from "@/lib/services/asset";
import { assetRoute } from "../../_asset-id";

/** `POST /api/assets/{id}/maintenance`: open (or record) a maintenance; 201 with the log. */
export const POST = assetRoute({ body: maintenanceCreateBodySchema }, async ({ id, body, context }) =>
  json(await assetService.openMaintenance(id, body, context), 201),
);
