import "server-only";
import type { z } from "zod";
import { serviceUrl, SERVICE_TIMEOUT_MS, type ServiceName } from "../env";
import {
  errorBodySchema,
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
}

export type Query = Record<string, string | number | boolean | null | undefined | readonly (string | number)[]>;

interface CallOptions<TSchema extends z.ZodType> {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  query?: Query;
  body?: unknown;
  /** Parses a 2xx answer; null for answers without a body (204). */
  schema: TSchema | null;
}

function buildUrl(service: ServiceName, path: string, query: Query | undefined): string {
  const url = new URL(serviceUrl(service) + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === "") continue;
    url.searchParams.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  return url.toString();
}

/**
 * Calls one service and returns its parsed answer. A 4xx throws ServiceHttpError with the
 * service's own `{detail, code}`; no answer, a timeout or a 5xx throws ServiceUnavailableError; a
 * 2xx that does not parse throws ServiceContractError.
 */
export async function callService<TSchema extends z.ZodType>(
  service: ServiceName,
  path: string,
  context: ServiceContext,
  { method = "GET", query, body, schema }: CallOptions<TSchema>,
): Promise<z.output<TSchema>> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (context.token) headers.authorization = `Bearer ${context.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const timeout = AbortSignal.timeout(SERVICE_TIMEOUT_MS);
  const signal = context.signal ? AbortSignal.any([context.signal, timeout]) : timeout;

  let response: Response;
  try {
    response = await (context.fetch ?? fetch)(buildUrl(service, path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: "no-store",
    });
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new ServiceUnavailableError(service, reason);
  }

  if (response.status >= 500) {
    throw new ServiceUnavailableError(service, `HTTP ${response.status}`);
  }
  const text = await response.text().catch(() => "");
  const json = parseJson(text);

  if (response.status >= 400) {
    const parsed = errorBodySchema.safeParse(json);
    throw new ServiceHttpError(
      service,
      response.status,
      parsed.success ? parsed.data : { detail: text || response.statusText, code: "upstream_error" },
    );
  }
  if (schema === null) return undefined as z.output<TSchema>;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ServiceContractError(service, parsed.error.message);
  }
  return parsed.data;
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
