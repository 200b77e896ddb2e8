import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/api/handler";
import { errorAnswer } from "@/lib/api/respond";
import { assetsExportQuerySchema } from "@/lib/assets-query";
import { assetService } from "@/lib/services/asset";

/**
 * `GET /api/assets/export?<the list's filters>` or `?ids=3,5,8` (a selection): the asset
 * service's CSV, streamed as it comes with its status, content type and content-disposition
 * (the file name). A refusal (422 bad filter, 403) is passed on as the service's JSON.
 */
export const GET = apiRoute({ query: assetsExportQuerySchema }, async ({ query, context }) => {
  const upstream = await assetService.exportCsv(query, context);
  if (!upstream.body) {
    return errorAnswer(502, { detail: "The asset service sent an empty export", code: "bad_gateway" });
  }
  const headers = new Headers({ "cache-control": "no-store" });
  headers.set("content-type", upstream.headers.get("content-type") ?? "text/csv; charset=utf-8");
  const disposition = upstream.headers.get("content-disposition");
  headers.set("content-disposition", disposition ?? 'attachment; filename="assets.csv"');
  return new NextResponse(upstream.body, { status: upstream.status, headers });
});
