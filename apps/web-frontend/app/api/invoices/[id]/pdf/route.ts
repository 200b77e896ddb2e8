import { NextResponse } from "next/server";
import { routeWithIds } from "@/lib/api/handler";
import { invoiceService } from "@/lib/services/invoice";

/** The service's headers a download keeps. */
const PASSED_ON = ["content-type", "content-disposition", "content-length", "last-modified", "etag"];

/**
 * `GET /api/invoices/{id}/pdf`: the invoice service's PDF streamed through as it comes (its
 * status, content type and disposition); its 4xx as `{detail, code}`, 503 when it is down.
 */
export const GET = routeWithIds({ ids: ["id"] }, async ({ request, ids: { id }, context }) => {
  const upstream = await invoiceService.pdf(id, context);
  const headers = new Headers({ "cache-control": "private, no-store" });
  for (const name of PASSED_ON) {
    const value = upstream.headers.get(name);
    if (value) headers.set(name, value);
  }
  if (request.nextUrl.searchParams.get("download") === "1") {
    const disposition = headers.get("content-disposition") ?? `inline; filename="invoice-${id}.pdf"`;
    headers.set("content-disposition", disposition.replace(/^inline/i, "attachment"));
  }
  return new NextResponse(upstream.body, { status: upstream.status, headers });
});
