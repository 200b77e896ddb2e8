import { z } from "zod";
import type { ServiceName } from "../env";

/** One failing input of a 422, as every service (and this BFF) reports it. */
export const fieldErrorSchema = z.object({
  loc: z.array(z.union([z.string(), z.number()])),
  field: z.string(),
  msg: z.string(),
  type: z.string(),
});
export type FieldError = z.infer<typeof fieldErrorSchema>;

/**
 * The one error shape, end to end: `{detail, code}`; a 422's detail lists the failing inputs.
 * Loose: what else a service says (a bulk action's per-row `results`, an existing customer) is
 * kept and passed on to the browser.
 */
export const errorBodySchema = z.looseObject({
  detail: z.union([z.string(), z.array(fieldErrorSchema)]),
  code: z.string(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/**
 * A service answered 4xx: its status and its own `{detail, code}`, passed on as they are, and
 * its `Retry-After` in seconds when it sent one (a 429: how long until it accepts again).
 */
export class ServiceHttpError extends Error {
  constructor(
    readonly service: ServiceName,
    readonly status: number,
    readonly body: ErrorBody,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(`${service} service answered ${status}: ${body.code}`);
    this.name = "ServiceHttpError";
  }
}

/** A service could not be reached, timed out or failed (5xx): nothing it said can be passed on. */
export class ServiceUnavailableError extends Error {
  constructor(
    readonly service: ServiceName,
    readonly reason: string,
  ) {
    super(`${service} service unavailable: ${reason}`);
    this.name = "ServiceUnavailableError";
  }
}

/** A service answered 2xx with something that does not match its contract. */
export class ServiceContractError extends Error {
  constructor(
    readonly service: ServiceName,
    readonly issues: string,
  ) {
    super(`${service} service answered outside its contract: ${issues}`);
    this.name = "ServiceContractError";
  }
}

export type ServiceError = ServiceHttpError | ServiceUnavailableError | ServiceContractError;

export function isServiceError(error: unknown): error is ServiceError {
  return (
    error instanceof ServiceHttpError ||
    error instanceof ServiceUnavailableError ||
    error instanceof ServiceContractError
  );
}

const SERVICE_LABEL: Record<ServiceName, string> = {
  employee: "employee",
  asset: "asset",
  invoice: "invoice",
  dashboard: "dashboard",
  notification: "notification",
};

/** What this app answers (or shows) for a service error: the status and the `{detail, code}`. */
export function toErrorAnswer(error: ServiceError): { status: number; body: ErrorBody } {
  if (error instanceof ServiceHttpError) return { status: error.status, body: error.body };
  if (error instanceof ServiceUnavailableError) {
    return {
      status: 503,
      body: {
        detail: `The ${SERVICE_LABEL[error.service]} service is unavailable; try again in a moment`,
        code: "service_unavailable",
      },
    };
  }
  return {
    status: 502,
    body: {
      detail: `The ${SERVICE_LABEL[error.service]} service gave an answer this app does not understand`,
      code: "bad_gateway",
    },
  };
}

/** A human sentence for a `{detail, code}` body: the message, or the list of failing inputs. */
export function describeError(body: ErrorBody): string {
  if (typeof body.detail === "string") return body.detail;
  return body.detail.map((issue) => `${issue.field}: ${issue.msg}`).join("; ");
}

/**
 * A `Retry-After` header in seconds from now: delay-seconds or an HTTP date (RFC 9110 §10.2.3);
 * null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}
