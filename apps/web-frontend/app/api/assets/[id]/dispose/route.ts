import { json } from "@/lib/api/respond";
import { disposeBodySchema } from "@/lib/assets-query";
import { assetService } from "@/lib/services/asset";
import { assetRoute } from "../../_asset-id";

/** `POST /api/assets/{id}/dispose` `{date, proceeds, reason}`: sell, scrap or write off. */
export const POST = assetRoute({ body: disposeBodySchema }, async ({ id, body, context }) =>
  json(await assetService.dispose(id, body, context)),
);
