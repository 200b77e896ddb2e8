import { z } from "zod";
import type { FieldError } from "../services/errors";

/**
 * Ids and days in the BFF's paths and query strings, read one way everywhere.
 *
 * Browser-safe on purpose (zod only, no `next/server`, no `server-only`): the query schemas in
 * `lib/*-query.ts` use `idSchema` and the browser imports them. The route wrapper that answers
 * with these reads is `routeWithIds` in `./handler`; the 204 answer is `noContent` in `./respond`.
 */

/**
 * The largest id: PostgreSQL's INTEGER, the type of every id column the services keep (and the
 * bound of `tb_platform.types.Id`). A larger number names no row, so it is refused here.
 */
export const MAX_ID = 2_147_483_647;

const ID_MESSAGE = `Must be a whole number from 1 to ${MAX_ID}`;

/**
 * An id as a path segment or query parameter gives it (digits only: no sign, space, decimal point,
 * exponent or hex; a leading `-` only so that a negative number reads as too small), or as a
 * number (a parsed query re-parsed). Its output is the number.
 */
export const idSchema = z
  .union([z.int({ error: ID_MESSAGE }), z.string().regex(/^-?[0-9]+$/).transform(Number)], { error: ID_MESSAGE })
  .pipe(z.number().min(1, { error: ID_MESSAGE }).max(MAX_ID, { error: ID_MESSAGE }));

/** A day as a path segment gives it: `YYYY-MM-DD` (the service checks that the day exists). */
export const daySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "A date as YYYY-MM-DD");

/** The 422 body of a bad path parameter, as the services answer it (`loc: ["path", name]`). */
export type PathError = { detail: FieldError[]; code: "validation_error" };

/** What Next.js hands a dynamic route's handler, once awaited: its segments by name. */
export type PathParams = Readonly<Record<string, string | string[] | undefined>>;

function pathError(name: string, msg: string, type: string): PathError {
  return { detail: [{ loc: ["path", name], field: name, msg, type }], code: "validation_error" };
}

/**
 * The id in the path segment `name` (`[id]`, `[logId]`, …), or the services' 422 naming it — the
 * same `msg` and `type` as FastAPI's for an `Id` path parameter.
 */
export function readPathId(
  params: PathParams,
  name: string,
): { ok: true; id: number } | { ok: false; error: PathError } {
  const raw = params[name];
  if (raw === undefined) return { ok: false, error: pathError(name, "Field required", "missing") };
  const parsed = idSchema.safeParse(raw);
  if (parsed.success) return { ok: true, id: parsed.data };
  switch (parsed.error.issues[0]?.code) {
    case "too_small":
      return { ok: false, error: pathError(name, "Input should be greater than or equal to 1", "greater_than_equal") };
    case "too_big":
      return { ok: false, error: pathError(name, `Input should be less than or equal to ${MAX_ID}`, "less_than_equal") };
    default:
      return {
        ok: false,
        error: pathError(name, "Input should be a valid integer, unable to parse string as an integer", "int_parsing"),
      };
  }
}

/** The day (`YYYY-MM-DD`) in the path segment `name`, or the services' 422 naming it. */
export function readPathDay(
  params: PathParams,
  name: string,
): { ok: true; day: string } | { ok: false; error: PathError } {
  const raw = params[name];
  if (raw === undefined) return { ok: false, error: pathError(name, "Field required", "missing") };
  const parsed = daySchema.safeParse(raw);
  if (parsed.success) return { ok: true, day: parsed.data };
  return { ok: false, error: pathError(name, "Input should be a valid date in the format YYYY-MM-DD", "date_parsing") };
}
