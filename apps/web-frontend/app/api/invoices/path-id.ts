import type { NextRequest, NextResponse } from "next/server";
import { errorAnswer } from "@/lib/api/respond";

/**
 * The numeric id in a BFF path (`/api/invoices/12/issue` → 12 after "invoices"), or null. The
 * route handlers read it from the URL because `apiRoute` hands them the request only.
 */
export function pathId(request: NextRequest, after: "invoices" | "customers"): number | null {
  const parts = request.nextUrl.pathname.split("/");
  const raw = parts[parts.indexOf(after) + 1] ?? "";
  if (!/^\d{1,10}$/.test(raw)) return null;
  const id = Number(raw);
  return id >= 1 && id <= 2_147_483_647 ? id : null;
}

/** The 422 of an id that is not one, in the services' shape. */
export function badId(name: "invoice_id" | "customer_id"): NextResponse {
  return errorAnswer(422, {
    detail: [{ loc: ["path", name], field: name, msg: "Input should be a positive whole number", type: "int_parsing" }],
    code: "validation_error",
  });
}
