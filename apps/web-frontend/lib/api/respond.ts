import { NextResponse } from "next/server";
import type { z } from "zod";
import type { ErrorBody, FieldError } from "../services/errors";

const NO_STORE = { "cache-control": "no-store" };

/** A JSON answer that no cache keeps (it is one user's data). */
export function json(body: unknown, status = 200): NextResponse {
  return NextResponse.json(body, { status, headers: NO_STORE });
}

/** 204 No Content (a body is not allowed with it). */
export function noContent(): NextResponse {
  return new NextResponse(null, { status: 204, headers: NO_STORE });
}

export function errorAnswer(status: number, body: ErrorBody): NextResponse {
  return json(body, status);
}

/** A zod failure in the services' 422 shape: every failing input with `loc`, `field`, `msg`, `type`. */
export function validationFailed(error: z.ZodError, location: "query" | "body"): NextResponse {
  const detail: FieldError[] = error.issues.flatMap((issue): FieldError[] => {
    // An unknown parameter is reported on the parameter itself, as the services do.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        loc: [location, key],
        field: key,
        msg: `Unknown ${location === "query" ? "query parameter" : "field"} '${key}'`,
        type: "extra_forbidden",
      }));
    }
    const path = issue.path.map((part) => (typeof part === "symbol" ? String(part) : part));
    return [
      {
        loc: [location, ...path],
        field: path.map(String).join(".") || location,
        msg: issue.message,
        type: issue.code,
      },
    ];
  });
  return errorAnswer(422, { detail, code: "validation_error" });
}
