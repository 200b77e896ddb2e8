import type { AssetsQuery } from "@/lib/assets-query";
// Types only: erased from the browser bundle, so the server-only module is not shipped.
import type { AssetsWithOwnersPage, AssetWithOwner } from "@/lib/compose/assets";
import { apiGet, type ApiResult } from "./api";

/** The browser's side of `GET /api/assets`: the shapes it answers (the composition's own types). */

export type AssetRow = AssetWithOwner;
export type AssetsAnswer = AssetsWithOwnersPage;
export type { FetchFailure } from "./api";

export function fetchAssets(query: AssetsQuery, signal: AbortSignal): Promise<ApiResult<AssetsAnswer>> {
  return apiGet<AssetsAnswer>("/api/assets", query, signal);
}
