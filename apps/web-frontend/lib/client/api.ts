/**
 * The browser's one way to call the BFF (`/api/...`): JSON in, JSON out, and every failure turned
 * into the one error shape — the service's message, its code, and for a 422 each field's message
 * keyed by the field's dotted name (`lines.0.unit_price`) so a form can show it on that field.
 * Mutating calls are same-origin fetches: the BFF's Origin check accepts them.
 */

export interface FetchFailure {
  /** HTTP status; 0 when the server could not be reached. */
  status: number;
  /** A sentence to show the user. */
  message: string;
  code: string | null;
  /** 422: the message of each failing field, by its dotted name. */
  fieldErrors: Record<string, string>;
  /** The whole error body, for answers that carry more (a bulk action's per-row results). */
  body: unknown;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; failure: FetchFailure };

interface IssueLike {
  field?: unknown;
  loc?: unknown;
  msg?: unknown;
}

function fieldName(issue: IssueLike): string {
  if (typeof issue.field === "string" && issue.field !== "") return issue.field;
  if (Array.isArray(issue.loc)) {
    // The services' loc starts with where the input was ("body", "query").
    return issue.loc
      .slice(1)
      .map((part) => String(part))
      .join(".");
  }
  return "";
}

/** The user-facing message and the per-field messages of an error body in the services' shape. */
export function describeFailure(status: number, body: unknown, fallback: string): FetchFailure {
  const record = (body && typeof body === "object" ? body : {}) as { detail?: unknown; code?: unknown };
  const code = typeof record.code === "string" ? record.code : null;
  const fieldErrors: Record<string, string> = {};
  let message = fallback;
  if (typeof record.detail === "string" && record.detail !== "") {
    message = record.detail;
  } else if (Array.isArray(record.detail)) {
    const parts: string[] = [];
    for (const raw of record.detail as IssueLike[]) {
      const name = fieldName(raw);
      const msg = typeof raw.msg === "string" ? raw.msg : "is not valid";
      if (name && !(name in fieldErrors)) fieldErrors[name] = msg;
      parts.push(name ? `${name}: ${msg}` : msg);
    }
    if (parts.length > 0) message = parts.join("; ");
  }
  return { status, message, code, fieldErrors, body };
}

/** Builds `/api/...?...` leaving out empty values. */
export function apiUrl(path: string, params?: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

async function call<T>(url: string, init: RequestInit, what: string): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { accept: "application/json", ...init.headers } });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    return {
      ok: false,
      failure: {
        status: 0,
        message: "The server cannot be reached; check your connection",
        code: null,
        fieldErrors: {},
        body: null,
      },
    };
  }
  if (response.status === 401 && typeof window !== "undefined") {
    // The session ended (signed out elsewhere, or the service token expired): sign in again.
    const body = (await response.json().catch(() => null)) as { code?: string } | null;
    const back = encodeURIComponent(window.location.pathname + window.location.search);
    const reason = body?.code === "session_expired" ? "reason=expired&" : "";
    // A full page load on purpose: nothing of the ended session stays in the browser's memory.
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination
    window.location.assign(`/login?${reason}callbackUrl=${back}`);
    return { ok: false, failure: describeFailure(401, body, "Sign in again") };
  }
  if (response.status === 204) return { ok: true, value: undefined as T };
  const body = (await response.json().catch(() => null)) as unknown;
  if (response.ok) return { ok: true, value: body as T };
  return { ok: false, failure: describeFailure(response.status, body, `${what} failed (HTTP ${response.status})`) };
}

/** `GET /api/...`: the BFF validated the data already; T is the shape its route answers. */
export function apiGet<T>(
  path: string,
  params?: Record<string, string | number | boolean | null | undefined>,
  signal?: AbortSignal,
): Promise<ApiResult<T>> {
  return call<T>(apiUrl(path, params), { signal }, "Loading");
}

/** `POST|PUT|PATCH|DELETE /api/...` with a JSON body. */
export function apiSend<T>(
  method: "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  body?: unknown,
): Promise<ApiResult<T>> {
  return call<T>(
    path,
    {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    "The action",
  );
}
