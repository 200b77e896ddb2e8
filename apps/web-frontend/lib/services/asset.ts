import "server-only";
import type { components, operations } from "@repo/api-types/asset";
import { z } from "zod";
import { ASSET_STATUS_VALUES } from "../assets-query";
import type { Conforms, Same } from "./contract";
import { callService, type ServiceContext } from "./http";
import { pageSchema, type Page } from "./page";

type Schemas = components["schemas"];

export type AssetStatus = (typeof ASSET_STATUS_VALUES)[number];
true satisfies Same<AssetStatus, Schemas["AssetStatus"]>;

export const assetSchema = z.object({
  id: z.number().int(),
  asset_tag: z.string(),
  name: z.string(),
  serial_number: z.string().nullable(),
  category_id: z.number().int(),
  status: z.enum(ASSET_STATUS_VALUES),
  location: z.string().nullable(),
  purchase_date: z.string(),
  purchase_cost: z.string(),
  currency: z.string(),
  assigned_employee_id: z.number().int().nullable(),
  book_value: z.string().nullable().optional(),
});
export type Asset = z.infer<typeof assetSchema>;
true satisfies Conforms<Asset, Schemas["AssetPublic"]>;

const assetPageSchema = pageSchema(assetSchema);

/** The filters and paging of `GET /assets`, as the service names them. */
export type AssetListQuery = NonNullable<operations["list_assets_api_v1_assets_get"]["parameters"]["query"]>;

export const assetService = {
  /** `GET /assets`: one page of the assets the caller may see. */
  list(query: AssetListQuery, context: ServiceContext): Promise<Page<Asset>> {
    return callService("asset", "/api/v1/assets", context, { query, schema: assetPageSchema });
  },
};
