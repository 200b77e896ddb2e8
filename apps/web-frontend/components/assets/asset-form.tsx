"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Button, Card, Field, Notice, SelectField, TextAreaField } from "@repo/ui";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import { DEPRECIATION_METHODS, METHOD_LABELS, STATUS_LABELS } from "@/lib/assets-query";
import { createAsset, updateAsset, type AssetDetail, type Category, type FetchFailure } from "@/lib/client/assets-api";
import {
  ASSET_FORM_FIELDS,
  assetFormSchema,
  formDefaults,
  toCreateBody,
  toUpdateBody,
  type AssetFormField,
  type AssetFormValues,
} from "./asset-form-values";

/**
 * Register or change an asset: every field the asset service takes, checked here first (zod),
 * then by the service, whose 422 messages land on the fields and whose 409s (tag taken, disposed)
 * show above the buttons.
 */
export function AssetForm({ asset, categories }: { asset?: AssetDetail; categories: Category[] }) {
  const router = useRouter();
  const editing = asset !== undefined;
  const [failure, setFailure] = useState<FetchFailure | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    control,
    formState: { errors, isSubmitting, dirtyFields },
  } = useForm<AssetFormValues>({
    resolver: zodResolver(assetFormSchema),
    defaultValues: formDefaults(asset),
  });
  const method = useWatch({ control, name: "depreciation_method" });
  const categoryId = useWatch({ control, name: "category_id" });
  const category = categories.find((item) => String(item.id) === categoryId);
  const effectiveMethod = method || category?.default_depreciation_method;

  async function onSubmit(values: AssetFormValues) {
    setFailure(null);
    const result = editing
      ? await updateAsset(asset.id, toUpdateBody(values, dirtyFields))
      : await createAsset(toCreateBody(values));
    if (result.ok) {
      router.push(`/assets/${result.value.id}?saved=${editing ? "updated" : "created"}`);
      router.refresh();
      return;
    }
    const { fieldErrors, code, message } = result.failure;
    let placed = false;
    for (const [name, text] of Object.entries(fieldErrors)) {
      const field = name.split(".")[0] as AssetFormField;
      if (ASSET_FORM_FIELDS.includes(field)) {
        setError(field, { type: "server", message: text }, { shouldFocus: !placed });
        placed = true;
      }
    }
    if (code === "asset_tag_taken") {
      setError("asset_tag", { type: "server", message }, { shouldFocus: !placed });
      placed = true;
    }
    if (!placed || Object.keys(fieldErrors).length === 0) setFailure(result.failure);
  }

  const statusChoices =
    asset && (asset.status === "in_stock" || asset.status === "retired") ? (["in_stock", "retired"] as const) : null;

  return (
    <form onSubmit={handleSubmit(onSubmit)} noValidate className="flex max-w-3xl flex-col gap-4">
      <Card title="The asset">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Name" required error={errors.name?.message} {...register("name")} />
          <Field
            label="Asset tag"
            hint={editing ? undefined : "Leave empty and the register numbers it (AST-000001, …)"}
            error={errors.asset_tag?.message}
            {...register("asset_tag")}
          />
          <SelectField label="Category" required error={errors.category_id?.message} {...register("category_id")}>
            <option value="">Choose…</option>
            {categories.map((item) => (
              <option key={item.id} value={item.id}>
                {item.name} ({item.code})
              </option>
            ))}
          </SelectField>
          <Field label="Serial number" error={errors.serial_number?.message} {...register("serial_number")} />
          <Field label="Location" error={errors.location?.message} {...register("location")} />
          {statusChoices ? (
            <SelectField label="Status" hint="In stock ↔ retired; other changes have their own actions" error={errors.status?.message} {...register("status")}>
              {statusChoices.map((status) => (
                <option key={status} value={status}>
                  {STATUS_LABELS[status]}
                </option>
              ))}
            </SelectField>
          ) : null}
        </div>
      </Card>
      <Card title="Purchase and depreciation">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Purchase date" type="date" required error={errors.purchase_date?.message} {...register("purchase_date")} />
          <Field label="Purchase cost" inputMode="decimal" required placeholder="1480.00" error={errors.purchase_cost?.message} {...register("purchase_cost")} />
          <Field label="Currency" maxLength={3} error={errors.currency?.message} {...register("currency")} />
          <Field
            label="Salvage value"
            inputMode="decimal"
            hint={category ? `Empty: ${category.default_salvage_percent}% of the cost (the category's)` : "Empty: the category's percent of the cost"}
            error={errors.salvage_value?.message}
            {...register("salvage_value")}
          />
          <Field
            label="Useful life (months)"
            inputMode="numeric"
            hint={category ? `Empty: ${category.default_useful_life_months} (the category's)` : "Empty: the category's"}
            error={errors.useful_life_months?.message}
            {...register("useful_life_months")}
          />
          <SelectField
            label="Depreciation method"
            hint={category ? `Empty: ${METHOD_LABELS[category.default_depreciation_method]} (the category's)` : undefined}
            error={errors.depreciation_method?.message}
            {...register("depreciation_method")}
          >
            <option value="">The category&apos;s</option>
            {DEPRECIATION_METHODS.map((item) => (
              <option key={item} value={item}>
                {METHOD_LABELS[item]}
              </option>
            ))}
          </SelectField>
          {effectiveMethod === "declining_balance" ? (
            <Field
              label="Declining rate (% a year)"
              inputMode="decimal"
              hint="Only for declining balance"
              error={errors.declining_rate?.message}
              {...register("declining_rate")}
            />
          ) : null}
        </div>
      </Card>
      <Card title="Notes">
        <TextAreaField label="Notes" error={errors.notes?.message} {...register("notes")} />
      </Card>
      {failure ? <Notice tone="error">{failure.message}</Notice> : null}
      <div className="flex gap-2">
        <Button type="submit" loading={isSubmitting}>
          {editing ? "Save changes" : "Register the asset"}
        </Button>
        <Link
          href={editing ? `/assets/${asset.id}` : "/assets"}
          className="inline-flex h-10 items-center rounded-md border border-slate-300 bg-white px-4 text-sm font-medium text-slate-900 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
        >
          Cancel
        </Link>
      </div>
    </form>
  );
}
