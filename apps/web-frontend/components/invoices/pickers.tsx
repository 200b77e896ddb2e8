"use client";

import type { ApiResult } from "@/lib/client/api";
import { fetchCustomers, searchEmployees } from "@/lib/client/invoices-api";
import type { ComboOption } from "./combobox";

export interface CustomerOption extends ComboOption {
  currency?: string;
}

/** Customers whose name, email or tax id contains the text (10, by name). */
export async function searchCustomerOptions(text: string, signal: AbortSignal): Promise<ApiResult<CustomerOption[]>> {
  const result = await fetchCustomers({ q: text || undefined, sort: "name", limit: 10 }, signal);
  if (!result.ok) return result;
  return {
    ok: true,
    value: result.value.items.map((customer) => ({
      id: customer.id,
      name: customer.name,
      currency: customer.currency,
      hint: [customer.currency, customer.tax_id].filter(Boolean).join(" · "),
    })),
  };
}

/** Active employees whose name or email contains the text. */
export async function searchEmployeeOptions(text: string, signal: AbortSignal): Promise<ApiResult<ComboOption[]>> {
  const result = await searchEmployees({ q: text || undefined }, signal);
  if (!result.ok) return result;
  return { ok: true, value: result.value.items };
}
