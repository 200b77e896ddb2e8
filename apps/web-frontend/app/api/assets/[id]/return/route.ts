import { json } from "@/lib/api/respond";
import { returnBodySchema } from "@/lib/assets-query";
import { assetService } from "@/lib/services/asset";
import { assetRoute } from "../../_asset-id";

/** `POST /api/assets/{id}/return` `{reason?, notes?}`: the asset comes back into stock. */
export const POST = assetRoute({ body: returnBodySchema.optional() }, async ({ id, body, context }) =>
  json(await assetService.returnAsset(id, body ?? {}, context)),
);
