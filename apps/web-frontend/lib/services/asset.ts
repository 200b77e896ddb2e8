import "server-only";
import type { components, operations } from "@repo/api-types/asset";
import { z } from "zod";
import {
  ASSET_STATUS_VALUES,
  DEPRECIATION_METHODS,
  MAINTENANCE_KINDS,
  type AssetsExportQuery,
} from "../assets-query";
import type { Conforms, Same } from "./contract";
import { callService, streamService, type Query, type ServiceContext } from "./http";
import { pageSchema, type Page } from "./page";

type Schemas = components["schemas"];

export type AssetStatus = (typeof ASSET_STATUS_VALUES)[number];
true satisfies Same<AssetStatus, Schemas["AssetStatus"]>;
export type DepreciationMethod = (typeof DEPRECIATION_METHODS)[number];
true satisfies Same<DepreciationMethod, Schemas["DepreciationMethod"]>;
export type MaintenanceKind = (typeof MAINTENANCE_KINDS)[number];
true satisfies Same<MaintenanceKind, Schemas["MaintenanceKind"]>;

/** An asset as the list shows it (the fields a row needs). */
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

/** An asset with every field the service answers (detail, edit). */
export const assetDetailSchema = assetSchema.extend({
  salvage_value: z.string(),
  useful_life_months: z.number().int(),
  depreciation_method: z.enum(DEPRECIATION_METHODS),
  declining_rate: z.string().nullable(),
  notes: z.string().nullable(),
  accumulated_depreciation: z.string().nullable().optional(),
  disposal_date: z.string().nullable(),
  disposal_proceeds: z.string().nullable(),
  disposal_reason: z.string().nullable(),
  book_value_at_disposal: z.string().nullable(),
  gain_loss: z.string().nullable(),
  created_by: z.string(),
  updated_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type AssetDetail = z.infer<typeof assetDetailSchema>;
true satisfies Conforms<AssetDetail, Schemas["AssetPublic"]>;

export const categorySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  code: z.string(),
  default_useful_life_months: z.number().int(),
  default_depreciation_method: z.enum(DEPRECIATION_METHODS),
  default_salvage_percent: z.string(),
});
export type Category = z.infer<typeof categorySchema>;
true satisfies Conforms<Category, Schemas["CategoryPublic"]>;

export const assignmentSchema = z.object({
  id: z.number().int(),
  asset_id: z.number().int(),
  employee_id: z.number().int(),
  assigned_at: z.string(),
  returned_at: z.string().nullable(),
  assigned_by: z.string(),
  returned_by: z.string().nullable(),
  return_reason: z.string().nullable(),
  notes: z.string().nullable(),
});
export type Assignment = z.infer<typeof assignmentSchema>;
true satisfies Conforms<Assignment, Schemas["AssignmentPublic"]>;

export const maintenanceSchema = z.object({
  id: z.number().int(),
  asset_id: z.number().int(),
  kind: z.enum(MAINTENANCE_KINDS),
  description: z.string(),
  vendor: z.string().nullable(),
  currency: z.string(),
  cost: z.string(),
  started_at: z.string(),
  completed_at: z.string().nullable(),
  next_due_date: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
});
export type Maintenance = z.infer<typeof maintenanceSchema>;
true satisfies Conforms<Maintenance, Schemas["MaintenancePublic"]>;

export const schedulePeriodSchema = z.object({
  period: z.string(),
  period_start: z.string(),
  period_end: z.string(),
  depreciation_amount: z.string(),
  accumulated_depreciation: z.string(),
  book_value: z.string(),
});
export const scheduleSchema = z.object({
  asset_id: z.number().int(),
  method: z.enum(DEPRECIATION_METHODS),
  currency: z.string(),
  items: z.array(schedulePeriodSchema),
  total: z.number().int(),
});
export type Schedule = z.infer<typeof scheduleSchema>;
true satisfies Conforms<Schedule, Schemas["Schedule"]>;
true satisfies Conforms<Schedule["items"][number], Schemas["SchedulePeriod"]>;

export const importResultSchema = z.object({ imported: z.number().int(), ids: z.array(z.number().int()) });
export type ImportResult = z.infer<typeof importResultSchema>;
true satisfies Conforms<ImportResult, Schemas["ImportResult"]>;

/** `POST /assets/bulk`'s answers: 200 every row done; 409 `bulk_rejected` with each row's reason. */
export const bulkRowFailedSchema = z.object({
  id: z.number().int(),
  ok: z.literal(false),
  status: z.number().int(),
  code: z.string(),
  detail: z.string(),
  field: z.string().nullable().optional(),
});
export const bulkResultSchema = z.object({
  action: z.string(),
  succeeded: z.number().int(),
  failed: z.literal(0),
  results: z.array(z.object({ id: z.number().int(), ok: z.literal(true), item: assetSchema })),
});
export type BulkResult = z.infer<typeof bulkResultSchema>;
export const bulkRejectedSchema = z.object({
  detail: z.string(),
  code: z.literal("bulk_rejected"),
  action: z.string(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  results: z.array(
    z.union([z.object({ id: z.number().int(), ok: z.literal(true), item: z.null().optional() }), bulkRowFailedSchema]),
  ),
});
export type BulkRejected = z.infer<typeof bulkRejectedSchema>;
// TODO(lead): once @repo/api-types has POST /assets/bulk, tie these with Conforms to
// Schemas["BulkResult_AssetPublic_"] / Schemas["BulkRejectedBody"].

const assetPageSchema = pageSchema(assetSchema);
const categoryPageSchema = pageSchema(categorySchema);
const assignmentPageSchema = pageSchema(assignmentSchema);
const maintenancePageSchema = pageSchema(maintenanceSchema);

/**
 * The filters and paging of `GET /assets`, as the service names them: the generated ones plus
 * the filters the service gained with the bulk work (location … ids).
 */
export type AssetListQuery = NonNullable<operations["list_assets_api_v1_assets_get"]["parameters"]["query"]> &
  Partial<AssetsExportQuery>;

/** The bodies the service takes (generated types: what the service validates). */
export type AssetCreateBody = Schemas["AssetCreate"];
export type AssetUpdateBody = Schemas["AssetUpdate"];
export type AssignBody = Schemas["AssignBody"];
export type ReturnBody = Schemas["ReturnBody"];
export type DisposeBody = Schemas["DisposeBody"];
export type MaintenanceCreateBody = Schemas["MaintenanceCreate"];
export type MaintenanceCompleteBody = Schemas["MaintenanceComplete"];

export interface BulkBody {
  action: "assign" | "return" | "set_status" | "set_category";
  ids: number[];
  employee_id?: number;
  status?: "in_stock" | "retired";
  category_id?: number;
  note?: string;
  reason?: string;
}

const path = (id: number, rest = "") => `/api/v1/assets/${id}${rest}`;

export const assetService = {
  /** `GET /assets`: one page of the assets the caller may see. */
  list(query: AssetListQuery, context: ServiceContext): Promise<Page<Asset>> {
    return callService("asset", "/api/v1/assets", context, { query, schema: assetPageSchema });
  },

  /** `GET /assets/{id}`: every field, with the book value today. */
  get(id: number, context: ServiceContext): Promise<AssetDetail> {
    return callService("asset", path(id), context, { schema: assetDetailSchema });
  },

  create(body: AssetCreateBody, context: ServiceContext): Promise<AssetDetail> {
    return callService("asset", "/api/v1/assets", context, { method: "POST", body, schema: assetDetailSchema });
  },

  update(id: number, body: AssetUpdateBody, context: ServiceContext): Promise<AssetDetail> {
    return callService("asset", path(id), context, { method: "PATCH", body, schema: assetDetailSchema });
  },

  /** 204; 409 `asset_has_history` for an asset that was used (retire or dispose it instead). */
  async remove(id: number, context: ServiceContext): Promise<void> {
    await callService("asset", path(id), context, { method: "DELETE", schema: null });
  },

  assign(id: number, body: AssignBody, context: ServiceContext): Promise<AssetDetail> {
    return callService("asset", path(id, "/assign"), context, { method: "POST", body, schema: assetDetailSchema });
  },

  returnAsset(id: number, body: ReturnBody, context: ServiceContext): Promise<AssetDetail> {
    return callService("asset", path(id, "/return"), context, { method: "POST", body, schema: assetDetailSchema });
  },

  dispose(id: number, body: DisposeBody, context: ServiceContext): Promise<AssetDetail> {
    return callService("asset", path(id, "/dispose"), context, { method: "POST", body, schema: assetDetailSchema });
  },

  /** `GET /assets/{id}/history`: who had it, newest first. */
  history(id: number, query: { limit?: number; offset?: number }, context: ServiceContext): Promise<Page<Assignment>> {
    return callService("asset", path(id, "/history"), context, { query, schema: assignmentPageSchema });
  },

  maintenance(id: number, query: { limit?: number; offset?: number; sort?: string }, context: ServiceContext): Promise<Page<Maintenance>> {
    return callService("asset", path(id, "/maintenance"), context, { query, schema: maintenancePageSchema });
  },

  openMaintenance(id: number, body: MaintenanceCreateBody, context: ServiceContext): Promise<Maintenance> {
    return callService("asset", path(id, "/maintenance"), context, { method: "POST", body, schema: maintenanceSchema });
  },

  completeMaintenance(id: number, logId: number, body: MaintenanceCompleteBody, context: ServiceContext): Promise<Maintenance> {
    return callService("asset", path(id, `/maintenance/${logId}/complete`), context, {
      method: "POST",
      body,
      schema: maintenanceSchema,
    });
  },

  depreciation(id: number, context: ServiceContext): Promise<Schedule> {
    return callService("asset", path(id, "/depreciation"), context, { schema: scheduleSchema });
  },

  /** `GET /categories`: up to 200 (a register has a handful), by name. */
  categories(context: ServiceContext): Promise<Page<Category>> {
    return callService("asset", "/api/v1/categories", context, {
      query: { limit: 200, sort: "name" },
      schema: categoryPageSchema,
    });
  },

  category(id: number, context: ServiceContext): Promise<Category> {
    return callService("asset", `/api/v1/categories/${id}`, context, { schema: categorySchema });
  },

  /**
   * `POST /assets/bulk`: all or nothing, 200 with every row. A 409 `bulk_rejected` is thrown as a
   * ServiceHttpError whose body is the service's whole answer (each row's reason in `results`).
   */
  bulk(body: BulkBody, context: ServiceContext): Promise<BulkResult> {
    return callService("asset", "/api/v1/assets/bulk", context, { method: "POST", body, schema: bulkResultSchema });
  },

  /**
   * `GET /assets/export`: the service's CSV Response (status, content type, disposition, stream).
   * A refusal (422 bad filter, 403) throws ServiceHttpError with the service's body.
   */
  exportCsv(filters: AssetsExportQuery, context: ServiceContext): Promise<Response> {
    return streamService("asset", "/api/v1/assets/export", context, {
      query: filters as Query,
      headers: { accept: "text/csv, application/json" },
    });
  },

  /**
   * `POST /assets/import` (multipart, field `file`): 201 `{imported, ids}`. Its 422 `invalid_csv`
   * is thrown as a ServiceHttpError whose body keeps the failing rows (`errors`).
   */
  importCsv(form: FormData, context: ServiceContext): Promise<ImportResult> {
    return callService("asset", "/api/v1/assets/import", context, { method: "POST", body: form, schema: importResultSchema });
  },
};
