import { z } from "zod";
import { DEPRECIATION_METHODS, MONEY_PATTERN } from "@/lib/assets-query";
// Types only.
import type { AssetDetail } from "@/lib/services/asset";

/**
 * The asset form's values (every input is text, as the browser gives it) and how they become the
 * asset service's AssetCreate / AssetUpdate bodies. Money stays text end to end.
 */

const optionalMoney = z.string().trim().refine((value) => value === "" || MONEY_PATTERN.test(value), "A positive amount with at most 2 decimals, e.g. 148.00");
const RATE_PATTERN = /^(?:[0-9]{1,3}(?:\.[0-9]{0,2})?|\.[0-9]{1,2})$/;

export const assetFormSchema = z
  .object({
    asset_tag: z
      .string()
      .trim()
      .refine((value) => value === "" || /^[A-Za-z0-9][A-Za-z0-9_./-]{0,39}$/.test(value), "Letters, digits and _ . / - (up to 40), starting with a letter or digit"),
    name: z.string().trim().min(1, "Give the asset a name").max(200, "At most 200 characters"),
    serial_number: z.string().trim().max(100, "At most 100 characters"),
    category_id: z.string().min(1, "Choose a category"),
    location: z.string().trim().max(200, "At most 200 characters"),
    purchase_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "The purchase date (YYYY-MM-DD)"),
    purchase_cost: z.string().trim().regex(MONEY_PATTERN, "A positive amount with at most 2 decimals, e.g. 1480.00"),
    salvage_value: optionalMoney,
    currency: z.string().trim().regex(/^[A-Za-z]{3}$/, "A three-letter code, e.g. EUR"),
    useful_life_months: z
      .string()
      .trim()
      .refine((value) => value === "" || (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 600), "Whole months, 1 to 600"),
    depreciation_method: z.union([z.literal(""), z.enum(DEPRECIATION_METHODS)]),
    declining_rate: z
      .string()
      .trim()
      .refine((value) => value === "" || (RATE_PATTERN.test(value) && Number(value) > 0 && Number(value) <= 100), "An annual percent above 0, at most 100, 2 decimals"),
    notes: z.string().trim().max(5000, "At most 5000 characters"),
    status: z.enum(["", "in_stock", "retired", "assigned", "in_maintenance", "disposed"]),
  });

export type AssetFormValues = z.infer<typeof assetFormSchema>;
export type AssetFormField = keyof AssetFormValues;
export const ASSET_FORM_FIELDS = Object.keys(assetFormSchema.shape) as AssetFormField[];

export function formDefaults(asset?: AssetDetail): AssetFormValues {
  return {
    asset_tag: asset?.asset_tag ?? "",
    name: asset?.name ?? "",
    serial_number: asset?.serial_number ?? "",
    category_id: asset ? String(asset.category_id) : "",
    location: asset?.location ?? "",
    purchase_date: asset?.purchase_date ?? "",
    purchase_cost: asset?.purchase_cost ?? "",
    salvage_value: asset?.salvage_value ?? "",
    currency: asset?.currency ?? "EUR",
    useful_life_months: asset ? String(asset.useful_life_months) : "",
    depreciation_method: asset?.depreciation_method ?? "",
    declining_rate: asset?.declining_rate ?? "",
    notes: asset?.notes ?? "",
    status: asset?.status ?? "",
  };
}

/** A field's value as the service takes it: text trimmed, numbers as numbers, "" as absent (null). */
function valueOf(field: AssetFormField, raw: string): unknown {
  const value = raw.trim();
  if (value === "") return null;
  if (field === "category_id" || field === "useful_life_months") return Number(value);
  if (field === "currency") return value.toUpperCase();
  return value;
}

/** POST /assets: the fields filled in (an empty optional field takes the service's default). */
export function toCreateBody(values: AssetFormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of ASSET_FORM_FIELDS) {
    if (field === "status") continue;
    const value = valueOf(field, values[field]);
    if (value !== null) body[field] = value;
  }
  if (body.depreciation_method !== "declining_balance") delete body.declining_rate;
  return body;
}

/**
 * PATCH /assets/{id}: only the fields the user changed; an emptied optional field is null (the
 * service clears it). `status` only when it changed.
 */
export function toUpdateBody(
  values: AssetFormValues,
  dirty: Partial<Record<AssetFormField, boolean | undefined>>,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of ASSET_FORM_FIELDS) {
    if (!dirty[field]) continue;
    body[field] = valueOf(field, values[field]);
  }
  if (body.status === null) delete body.status;
  return body;
}
