import { z } from "zod";

/**
 * The assets list's filters, sort and page — the asset service's own parameters — as the BFF's
 * `GET /api/assets` takes them and as the /assets page keeps them in its URL.
 */

export const ASSET_STATUS_VALUES = ["in_stock", "assigned", "in_maintenance", "retired", "disposed"] as const;
export const ASSET_SORT_VALUES = ["asset_tag", "name", "purchase_date", "purchase_cost", "created_at", "id"] as const;

export const STATUS_LABELS: Record<(typeof ASSET_STATUS_VALUES)[number], string> = {
  in_stock: "In stock",
  assigned: "Assigned",
  in_maintenance: "In maintenance",
  retired: "Retired",
  disposed: "Disposed",
};

const id = z.coerce.number().int().min(1).max(2_147_483_647);

export const assetsQuerySchema = z.strictObject({
  q: z.string().max(200).regex(/^[^\0]*$/, "No NUL characters").optional(),
  status: z.enum(ASSET_STATUS_VALUES).optional(),
  category_id: id.optional(),
  assigned_employee_id: id.optional(),
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

export const DEFAULT_PAGE_SIZE = 20;
