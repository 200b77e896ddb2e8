import { routeWithIds } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { returnBodySchema } from "@/lib/assets-query";
import { assetService } from "@/lib/services/asset";

/** `POST /api/assets/{id}/return` `{reason?, notes?}`: the asset comes back into stock. */
export const POST = routeWithIds({ ids: ["id"], body: returnBodySchema.optional() }, async ({ ids: { id }, body, context }) =>
  json(await assetService.returnAsset(id, body ?? {}, context)),
);
