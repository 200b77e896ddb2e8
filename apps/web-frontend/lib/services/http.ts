import "server-only";
import type { Context } from "@opentelemetry/api";
import type { z } from "zod";
import { serviceUrl, SERVICE_TIMEOUT_MS, type ServiceName } from "../env";
import { traceServiceCall } from "../telemetry/propagation";
import {
  errorBodySchema,
  parseRetryAfter,
  ServiceContractError,
  ServiceHttpError,
  ServiceUnavailableError,
} from "./errors";

/** Who calls, and how: the service token of the signed-in user, and (in tests) a fake fetch. */
export interface ServiceContext {
  /** The service JWT; sent as `Authorization: Bearer …`. Absent only for the login call. */
  token?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /**
   * The trace of the request being answered (`newRequestTrace()`: one per BFF request, one per
   * page render): every call made for it carries this trace id when no tracer is recording.
   */
  requestTrace?: Context;
}

export type Query = Record<string, string | number | boolean | null | undefined | readonly (string | number)[]>;

interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  query?: Query;
  /** Sent as JSON; a FormData is sent as it is (multipart, fetch sets its content type). */
  body?: unknown;
  /**
   * More request headers (an `Idempotency-Key`, an `accept`), merged after the defaults. An
   * `authorization` here is dropped: only the context's token is ever sent.
   */
  headers?: Record<string, string>;
}

interface CallOptions<TSchema extends z.ZodType> extends RequestOptions {
  /** Parses a 2xx answer; null for answers without a body (204). */
  schema: TSchema | null;
}

/** The one prefix of what this app may ask a service: its API, never `/metrics`, `/ready` or docs. */
const SERVICE_API_PREFIX = "/api/v1/";

/**
 * The URL of one service call. Refuses (a bug here, not a user's error) any path outside the
 * services' API, or one that URL parsing would change — `..` or `%2e%2e` segments, backslashes,
 * a query or fragment written into the path — so no caller can reach a service's `/metrics`.
 */
export function serviceCallUrl(service: ServiceName, path: string, query?: Query): URL {
  const url = new URL(serviceUrl(service) + path);
  // endsWith, not ===: a service URL may carry a path of its own (behind a gateway's prefix).
  if (!path.startsWith(SERVICE_API_PREFIX) || !url.pathname.endsWith(path) || /%(2f|5c)/i.test(path)) {
    throw new Error(`Refusing to call the ${service} service outside ${SERVICE_API_PREFIX}: ${JSON.stringify(path)}`);
  }
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === "") continue;
    url.searchParams.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  return url;
}

function requestHeaders(context: ServiceContext, { body, headers: extra }: RequestOptions): Record<string, string> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined && !(body instanceof FormData)) headers["content-type"] = "application/json";
  for (const [name, value] of Object.entries(extra ?? {})) {
    const lower = name.toLowerCase();
    if (lower === "authorization") continue;
    // One spelling per header: a caller's `Accept` replaces the default `accept`.
    for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) delete headers[key];
    headers[name] = value;
  }
  if (context.token) headers.authorization = `Bearer ${context.token}`;
  return headers;
}

/**
 * Sends one request and returns the service's 2xx Response, body unread. No answer or a 5xx
 * throws ServiceUnavailableError; a 4xx throws ServiceHttpError with the service's whole error
 * body (`{detail, code, …}`), or `upstream_error` when it is not in that shape.
 */
async function send(
  service: ServiceName,
  path: string,
  context: ServiceContext,
  options: RequestOptions,
  signal: AbortSignal,
): Promise<Response> {
  const { method = "GET", query, body } = options;
  const url = serviceCallUrl(service, path, query);
  const headers = requestHeaders(context, options);
  let response: Response;
  try {
    response = await traceServiceCall({ method, url, headers, requestTrace: context.requestTrace }, () =>
      (context.fetch ?? fetch)(url.href, {
        method,
        headers,
        body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
        signal,
        cache: "no-store",
      }),
    );
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new ServiceUnavailableError(service, reason);
  }

  if (response.status >= 500) {
    await response.body?.cancel().catch(() => undefined);
    throw new ServiceUnavailableError(service, `HTTP ${response.status}`);
  }
  if (response.status >= 400) {
    const text = await response.text().catch(() => "");
    const parsed = errorBodySchema.safeParse(parseJson(text));
    throw new ServiceHttpError(
      service,
      response.status,
      parsed.success ? parsed.data : { detail: text || response.statusText, code: "upstream_error" },
      parseRetryAfter(response.headers.get("retry-after")),
    );
  }
  return response;
}

/**
 * Calls one service and returns its parsed answer. A 4xx throws ServiceHttpError with the
 * service's own `{detail, code}` (and whatever else its error body says: a bulk action's
 * `results`, an import's failing rows); no answer, a timeout or a 5xx throws
 * ServiceUnavailableError; a 2xx that does not parse throws ServiceContractError.
 */
export async function callService<TSchema extends z.ZodType>(
  service: ServiceName,
  path: string,
  context: ServiceContext,
  { schema, ...options }: CallOptions<TSchema>,
): Promise<z.output<TSchema>> {
  const timeout = AbortSignal.timeout(SERVICE_TIMEOUT_MS);
  const signal = context.signal ? AbortSignal.any([context.signal, timeout]) : timeout;
  const response = await send(service, path, context, options, signal);
  const json = parseJson(await response.text().catch(() => ""));
  if (schema === null) return undefined as z.output<TSchema>;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ServiceContractError(service, parsed.error.message);
  }
  return parsed.data;
}

/**
 * Calls one service for an answer that is not JSON (a CSV export, a PDF) and returns its 2xx
 * Response, body unread, to be streamed on. Errors as callService's. The timeout covers the
 * wait for the answer's headers only: a long download keeps streaming.
 */
export async function streamService(
  service: ServiceName,
  path: string,
  context: ServiceContext,
  options: RequestOptions = {},
): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException("timed out", "TimeoutError")),
    SERVICE_TIMEOUT_MS,
  );
  const signal = context.signal ? AbortSignal.any([context.signal, controller.signal]) : controller.signal;
  try {
    return await send(service, path, context, options, signal);
  } finally {
    clearTimeout(timer);
  }
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
