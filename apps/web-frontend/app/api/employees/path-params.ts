import { NextResponse } from "next/server";
import { z } from "zod";
import { errorAnswer } from "@/lib/api/respond";

/** What Next.js hands a dynamic route's handler: its path segments. */
export interface RouteParams<TNames extends string> {
  params: Promise<Record<TNames, string>>;
}

const pathId = z.coerce.number().int().min(1).max(2_147_483_647);
const pathDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "A date as YYYY-MM-DD");

/**
 * A path segment that must be an id (or a day): its value, or the 422 the services answer for a
 * bad path parameter (`loc: ["path", name]`).
 */
export function readPathParam(
  raw: Record<string, string>,
  name: string,
  kind: "id" | "day" = "id",
): { ok: true; value: number | string } | { ok: false; answer: NextResponse } {
  const parsed = (kind === "id" ? pathId : pathDay).safeParse(raw[name]);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    answer: errorAnswer(422, {
      detail: [
        {
          loc: ["path", name],
          field: name,
          msg: kind === "id" ? "Must be a whole number from 1" : "Must be a date as YYYY-MM-DD",
          type: "path_invalid",
        },
      ],
      code: "validation_error",
    }),
  };
}

/** The id of `[id]`-style segments, or the 422. */
export async function pathIdOf(
  params: Promise<Record<string, string>>,
  name = "id",
): Promise<{ ok: true; id: number } | { ok: false; answer: NextResponse }> {
  const result = readPathParam(await params, name, "id");
  return result.ok ? { ok: true, id: result.value as number } : result;
}

/** 204 No Content (a JSON body is not allowed with it). */
export function noContent(): NextResponse {
  return new NextResponse(null, { status: 204, headers: { "cache-control": "no-store" } });
}
