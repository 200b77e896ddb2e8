import { NextResponse } from "next/server";
import { json } from "@/lib/api/respond";
import { assetUpdateBodySchema } from "@/lib/assets-query";
import { assetDetail } from "@/lib/compose/assets";
import { assetService, type AssetUpdateBody } from "@/lib/services/asset";
import { assetRoute } from "../_asset-id";

/** `GET /api/assets/{id}`: the asset with its owner, history (named), maintenance and schedule. */
export const GET = assetRoute({}, async ({ id, context }) => json(await assetDetail(id, context)));

/** `PATCH /api/assets/{id}`: the changed fields (the service's AssetUpdate). */
export const PATCH = assetRoute({ body: assetUpdateBodySchema }, async ({ id, body, context }) =>
  json(await assetService.update(id, body as AssetUpdateBody, context)),
);

/** `DELETE /api/assets/{id}`: 204; 409 for an asset with history (retire or dispose it). */
export const DELETE = assetRoute({}, async ({ id, context }) => {
  await assetService.remove(id, context);
  return new NextResponse(null, { status: 204, headers: { "cache-control": "no-store" } });
});
