import { routeWithIds } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { disposeBodySchema } from "@/lib/assets-query";
import { assetService } from "@/lib/services/asset";

/** `POST /api/assets/{id}/dispose` `{date, proceeds, reason}`: sell, scrap or write off. */
export const POST = routeWithIds({ ids: ["id"], body: disposeBodySchema }, async ({ ids: { id }, body, context }) =>
  json(await assetService.dispose(id, body, context)),
);
