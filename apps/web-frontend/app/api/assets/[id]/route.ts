import { routeWithIds } from "@/lib/api/handler";
import { json, noContent } from "@/lib/api/respond";
import { assetUpdateBodySchema } from "@/lib/assets-query";
import { assetDetail } from "@/lib/compose/assets";
import { assetService, type AssetUpdateBody } from "@/lib/services/asset";

/** `GET /api/assets/{id}`: the asset with its owner, history (named), maintenance and schedule. */
export const GET = routeWithIds({ ids: ["id"] }, async ({ ids: { id }, context }) => json(await assetDetail(id, context)));

/** `PATCH /api/assets/{id}`: the changed fields (the service's AssetUpdate). */
export const PATCH = routeWithIds({ ids: ["id"], body: assetUpdateBodySchema }, async ({ ids: { id }, body, context }) =>
  json(await assetService.update(id, body as AssetUpdateBody, context)),
);

/** `DELETE /api/assets/{id}`: 204; 409 for an asset with history (retire or dispose it). */
export const DELETE = routeWithIds({ ids: ["id"] }, async ({ ids: { id }, context }) => {
  await assetService.remove(id, context);
  return noContent();
});
