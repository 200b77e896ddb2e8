import "server-only";
import type { NextRequest, NextResponse } from "next/server";
import type { z } from "zod";
import { readSession, type ServerSession } from "../auth/token";
import { isServiceError, toErrorAnswer } from "../services/errors";
import type { ServiceContext } from "../services/http";
import { newRequestTrace } from "../telemetry/propagation";
import { checkCsrf } from "./csrf";
import { readPathDay, readPathId, type PathError } from "./path";
import { errorAnswer, validationFailed } from "./respond";

interface HandlerArgs<TQuery, TBody> {
  request: NextRequest;
  session: ServerSession;
  /** The signed-in user's service token, for the typed clients. */
  context: ServiceContext;
  query: TQuery;
  body: TBody;
}

interface RouteSpec<TQuery extends z.ZodType, TBody extends z.ZodType> {
  /** Validates the query string (an object of the parameters' last values). */
  query?: TQuery;
  /** Validates the JSON body of a POST/PUT/PATCH. */
  body?: TBody;
}

function queryObject(request: NextRequest): Record<string, string> {
  return Object.fromEntries(request.nextUrl.searchParams.entries());
}

async function readJson(request: NextRequest): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const text = await request.text();
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Every BFF route the same way: CSRF check (state-changing methods) → session (401 without one,
 * 401 `session_expired` once the service token ran out) → zod validation (422 in the services'
 * shape) → the handler → the services' errors passed through (4xx as they are, unavailable 503).
 */
export function apiRoute<TQuery extends z.ZodType = z.ZodUndefined, TBody extends z.ZodType = z.ZodUndefined>(
  spec: RouteSpec<TQuery, TBody>,
  handler: (args: HandlerArgs<z.output<TQuery>, z.output<TBody>>) => Promise<NextResponse>,
): (request: NextRequest) => Promise<NextResponse> {
  return async (request) => {
    const csrf = checkCsrf(request.method, request.headers, request.url);
    if (!csrf.ok) {
      return errorAnswer(403, {
        detail: "This request did not come from the TB ERP web app",
        code: "csrf_failed",
      });
    }

    const session = await readSession(request.cookies);
    if (!session) {
      return errorAnswer(401, { detail: "Sign in first", code: "not_authenticated" });
    }
    if (session.expired) {
      return errorAnswer(401, {
        detail: "Your session has expired; sign in again",
        code: "session_expired",
      });
    }

    let query: unknown = undefined;
    if (spec.query) {
      const parsed = spec.query.safeParse(queryObject(request));
      if (!parsed.success) return validationFailed(parsed.error, "query");
      query = parsed.data;
    }

    let body: unknown = undefined;
    if (spec.body) {
      const raw = await readJson(request);
      if (!raw.ok) {
        return errorAnswer(422, {
          detail: [{ loc: ["body"], field: "body", msg: "The body is not valid JSON", type: "json_invalid" }],
          code: "validation_error",
        });
      }
      const parsed = spec.body.safeParse(raw.value);
      if (!parsed.success) return validationFailed(parsed.error, "body");
      body = parsed.data;
    }

    try {
      return await handler({
        request,
        session,
        // One trace per BFF request: every service call made for it carries the same trace id.
        context: { token: session.accessToken, signal: request.signal, requestTrace: newRequestTrace() },
        query: query as z.output<TQuery>,
        body: body as z.output<TBody>,
      });
    } catch (error) {
      if (isServiceError(error)) {
        const answer = toErrorAnswer(error);
        return errorAnswer(answer.status, answer.body);
      }
      throw error;
    }
  };
}

interface PathSpec<TIds extends string, TDays extends string> {
  /** The path's id segments (`["id"]`, `["id", "logId"]`): each a whole number from 1. */
  ids: readonly TIds[];
  /** The path's day segments (`["day"]`): each `YYYY-MM-DD`. */
  days?: readonly TDays[];
}

/**
 * An `apiRoute` under a dynamic path (`/api/assets/[id]/…`): the same CSRF → session → zod steps,
 * then every id (and day) segment of the path checked — a malformed one is the services' 422 with
 * `loc: ["path", name]`, all of them in one answer — and handed to the handler as numbers.
 */
export function routeWithIds<
  TIds extends string,
  TDays extends string = never,
  TQuery extends z.ZodType = z.ZodUndefined,
  TBody extends z.ZodType = z.ZodUndefined,
>(
  spec: RouteSpec<TQuery, TBody> & PathSpec<TIds, TDays>,
  handler: (
    args: HandlerArgs<z.output<TQuery>, z.output<TBody>> & { ids: Record<TIds, number>; days: Record<TDays, string> },
  ) => Promise<NextResponse>,
): (request: NextRequest, route: { params: Promise<Record<TIds | TDays, string>> }) => Promise<NextResponse> {
  const { ids: idNames, days: dayNames = [], ...validated } = spec;
  return (request, { params }) =>
    apiRoute<TQuery, TBody>(validated, async (args) => {
      const raw: Record<string, string> = await params;
      const ids = {} as Record<TIds, number>;
      const days = {} as Record<TDays, string>;
      const problems: PathError["detail"] = [];
      for (const name of idNames) {
        const read = readPathId(raw, name);
        if (read.ok) ids[name] = read.id;
        else problems.push(...read.error.detail);
      }
      for (const name of dayNames) {
        const read = readPathDay(raw, name);
        if (read.ok) days[name] = read.day;
        else problems.push(...read.error.detail);
      }
      if (problems.length > 0) return errorAnswer(422, { detail: problems, code: "validation_error" });
      return handler({ ...args, ids, days });
    })(request);
}
