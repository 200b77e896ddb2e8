import { z } from "zod";
import { MAX_ID, idSchema } from "./api/path";

/**
 * The assets list's filters, sort and page — the asset service's own parameters — as the BFF's
 * `GET /api/assets` takes them and as the /assets page keeps them in its URL.
 */

export const ASSET_STATUS_VALUES = ["in_stock", "assigned", "in_maintenance", "retired", "disposed"] as const;
export const ASSET_SORT_VALUES = ["asset_tag", "name", "purchase_date", "purchase_cost", "created_at", "id"] as const;
export const DEPRECIATION_METHODS = ["straight_line", "declining_balance", "double_declining_balance"] as const;
export const MAINTENANCE_KINDS = ["preventive", "corrective", "inspection"] as const;

export const STATUS_LABELS: Record<(typeof ASSET_STATUS_VALUES)[number], string> = {
  in_stock: "In stock",
  assigned: "Assigned",
  in_maintenance: "In maintenance",
  retired: "Retired",
  disposed: "Disposed",
};

export const METHOD_LABELS: Record<(typeof DEPRECIATION_METHODS)[number], string> = {
  straight_line: "Straight line",
  declining_balance: "Declining balance",
  double_declining_balance: "Double declining balance",
};

export const MAINTENANCE_KIND_LABELS: Record<(typeof MAINTENANCE_KINDS)[number], string> = {
  preventive: "Preventive",
  corrective: "Corrective",
  inspection: "Inspection",
};

const text = (max: number) => z.string().max(max).regex(/^[^\0]*$/, "No NUL characters");

/** A decimal with at most 2 decimals, as the services take money: digits and one point. */
export const MONEY_PATTERN = /^(?:[0-9]{1,12}(?:\.[0-9]{0,2})?|\.[0-9]{1,2})$/;
export const money = z.string().trim().regex(MONEY_PATTERN, "A positive amount with at most 2 decimals, e.g. 1480.00");
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "A date as YYYY-MM-DD")
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), "Not a real date");
export const currencyCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}$/, "A three-letter ISO 4217 code, e.g. EUR")
  .transform((value) => value.toUpperCase());

/** The most ids one `ids=` filter (a selection) may carry; the service's own limit. */
export const MAX_FILTER_IDS = 500;

/** `ids=3,5,8`: a selection of assets (at most 500 distinct ids). */
export const idList = z
  .string()
  .regex(/^\d+(,\d+)*$/, "Comma-separated asset ids, e.g. 3,5,8")
  .refine((value) => value.split(",").every((part) => Number(part) >= 1 && Number(part) <= MAX_ID), "Ids are positive whole numbers")
  .refine((value) => new Set(value.split(",")).size <= MAX_FILTER_IDS, `At most ${MAX_FILTER_IDS} ids`);

/** The filters the asset service's list and export share (AssetFilters). */
export const assetFilterShape = {
  q: text(200).optional(),
  status: z.enum(ASSET_STATUS_VALUES).optional(),
  category_id: idSchema.optional(),
  assigned_employee_id: idSchema.optional(),
  location: text(200).optional(),
  serial_number: text(200).optional(),
  currency: currencyCode.optional(),
  purchased_from: isoDate.optional(),
  purchased_to: isoDate.optional(),
  cost_min: money.optional(),
  cost_max: money.optional(),
  ids: idList.optional(),
};

/** The names of the filters (without paging and sort), e.g. for "clear filters" and exports. */
export const ASSET_FILTER_KEYS = Object.keys(assetFilterShape) as (keyof typeof assetFilterShape)[];

export const assetsQuerySchema = z.strictObject({
  ...assetFilterShape,
  limit: z.coerce.number().int().min(1).max(200).default(20),
  offset: z.coerce.number().int().min(0).max(2_147_483_647).default(0),
  cursor: z.string().max(500).optional(),
  sort: z
    .string()
    .refine(
      (value) => (ASSET_SORT_VALUES as readonly string[]).includes(value.replace(/^-/, "")),
      `Sort by one of: ${ASSET_SORT_VALUES.join(", ")} (prefix - for descending)`,
    )
    .optional(),
});

export type AssetsQuery = z.output<typeof assetsQuerySchema>;

/**
 * What the /assets page keeps in its URL: the BFF's query plus the visible `columns`. Not strict:
 * a parameter another control adds to the URL (a saved view's) does not reset the list.
 */
export const assetsPageQuerySchema = z.object({
  ...assetsQuerySchema.shape,
  columns: z.string().max(500).optional(),
});
export type AssetsPageQuery = z.output<typeof assetsPageQuerySchema>;

/** `GET /api/assets/export`: the list's filters (or `ids=` of a selection), no paging. */
export const assetsExportQuerySchema = z.strictObject(assetFilterShape);
export type AssetsExportQuery = z.output<typeof assetsExportQuerySchema>;

/** The service's query of a page: the URL's state without what only the page uses. */
export function serviceQuery(query: AssetsPageQuery): AssetsQuery {
  const { columns: _columns, ...rest } = query;
  return rest;
}

/** The filters of a page's state (for an export of "the current filter"). */
export function filtersOf(query: Partial<AssetsQuery>): AssetsExportQuery {
  const filters: Record<string, unknown> = {};
  for (const key of ASSET_FILTER_KEYS) {
    const value = query[key];
    if (value !== undefined && value !== null && value !== "") filters[key] = value;
  }
  return filters as AssetsExportQuery;
}

export const DEFAULT_PAGE_SIZE = 20;

/*
 * The bodies the BFF's asset routes take: the services' field names and JSON types, unknown
 * fields refused; the asset service checks the rest (patterns, ranges, rules) with its own 422.
 */

const nullableText = (max: number) => text(max).nullable().optional();
const decimal = z.union([z.string(), z.number()]);

export const assetCreateBodySchema = z.strictObject({
  asset_tag: z.string().max(40).nullable().optional(),
  name: text(200),
  serial_number: nullableText(100),
  category_id: z.number().int().min(1),
  location: nullableText(200),
  purchase_date: z.string(),
  purchase_cost: decimal,
  salvage_value: decimal.nullable().optional(),
  currency: z.string().max(3).optional(),
  useful_life_months: z.number().int().nullable().optional(),
  depreciation_method: z.enum(DEPRECIATION_METHODS).nullable().optional(),
  declining_rate: decimal.nullable().optional(),
  notes: nullableText(5000),
});

/** PATCH: every field optional; null clears an optional one; `status` only in_stock ↔ retired. */
export const assetUpdateBodySchema = z.strictObject({
  asset_tag: z.string().max(40).nullable().optional(),
  name: text(200).nullable().optional(),
  serial_number: nullableText(100),
  category_id: z.number().int().min(1).nullable().optional(),
  location: nullableText(200),
  purchase_date: z.string().nullable().optional(),
  purchase_cost: decimal.nullable().optional(),
  salvage_value: decimal.nullable().optional(),
  currency: z.string().max(3).nullable().optional(),
  useful_life_months: z.number().int().nullable().optional(),
  depreciation_method: z.enum(DEPRECIATION_METHODS).nullable().optional(),
  declining_rate: decimal.nullable().optional(),
  notes: nullableText(5000),
  status: z.enum(ASSET_STATUS_VALUES).nullable().optional(),
});

export const assignBodySchema = z.strictObject({
  employee_id: z.number().int().min(1),
  notes: nullableText(1000),
});

export const returnBodySchema = z.strictObject({
  notes: nullableText(1000),
  reason: nullableText(200),
});

export const disposeBodySchema = z.strictObject({
  date: z.string(),
  proceeds: decimal,
  reason: text(500),
});

export const maintenanceCreateBodySchema = z.strictObject({
  kind: z.enum(MAINTENANCE_KINDS),
  description: text(5000),
  vendor: nullableText(200),
  cost: decimal.default("0"),
  started_at: z.string().nullable().optional(),
  completed_at: z.string().nullable().optional(),
  next_due_date: z.string().nullable().optional(),
});

export const maintenanceCompleteBodySchema = z.strictObject({
  completed_at: z.string().nullable().optional(),
  cost: decimal.nullable().optional(),
  next_due_date: z.string().nullable().optional(),
});

export const BULK_ACTIONS = ["assign", "return", "set_status", "set_category"] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
/** The most assets one bulk action takes (the service's limit). */
export const MAX_BULK_IDS = 200;

export const bulkBodySchema = z.strictObject({
  action: z.enum(BULK_ACTIONS),
  ids: z.array(z.number().int().min(1).max(MAX_ID)).min(1).max(MAX_BULK_IDS),
  employee_id: z.number().int().min(1).optional(),
  status: z.enum(["in_stock", "retired"]).optional(),
  category_id: z.number().int().min(1).optional(),
  note: text(1000).optional(),
  reason: text(200).optional(),
});
export type BulkBodyInput = z.infer<typeof bulkBodySchema>;

/** `GET /api/assets/employee-options?q=`. */
export const employeeOptionsQuerySchema = z.strictObject({ q: text(200).optional() });
