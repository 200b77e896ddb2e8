import "server-only";
import {
  context,
  defaultTextMapSetter,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  ROOT_CONTEXT,
  type Context,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { RandomIdGenerator } from "@opentelemetry/sdk-trace-base";
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from "@opentelemetry/semantic-conventions";

/**
 * W3C trace context from this app to the services: every service call carries a `traceparent`,
 * so the services' logs and traces of one page load or BFF request share one trace id.
 *
 * - A tracer is registered (`instrumentation.ts`, OTLP configured) and recording the request:
 *   the call gets a client span under the request's active span (Next.js's), and the service
 *   continues that span — BFF → service → SQL in one trace.
 * - The request is traced but not sampled: its context is passed on as it is (flag 00), so the
 *   services drop it too.
 * - No tracer (the default): nothing records here, but each incoming request still gets a trace
 *   of its own (`newRequestTrace`, carried by the ServiceContext), sent with every call made
 *   while answering it. A few hundred nanoseconds a call; no span, no context switch.
 */

const ids = new RandomIdGenerator();
// Used when no tracer registered a propagator: the global one is then a no-op.
const w3c = new W3CTraceContextPropagator();

/**
 * A new trace for one incoming request that no tracer records: a context holding a fresh span
 * context, made once per request so that a call only writes its header. Marked sampled: this app
 * makes no sampling decision of its own, and a service that traces should record its part under
 * this id rather than drop it.
 */
export function newRequestTrace(): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: ids.generateTraceId(),
    spanId: ids.generateSpanId(),
    traceFlags: TraceFlags.SAMPLED,
  });
}

interface ServiceCall {
  method: string;
  url: URL;
  /** The call's request headers: `traceparent` (and `tracestate`, when there is one) are added. */
  headers: Record<string, string>;
  /** The trace of the request being answered, when no tracer runs; without it, a new one. */
  requestTrace?: Context;
}

function inject(active: Context, headers: Record<string, string>): void {
  propagation.inject(active, headers, defaultTextMapSetter);
  // A provider registered without a propagator must not leave the call without trace context.
  if (headers.traceparent === undefined) w3c.inject(active, headers, defaultTextMapSetter);
}

/**
 * Makes one service call (`send`, which must send `call.headers`) under the trace of the
 * request being answered; see the module's comment for which trace that is.
 */
export function traceServiceCall(call: ServiceCall, send: () => Promise<Response>): Promise<Response> {
  const active = context.active();
  const parent = trace.getSpan(active);
  if (parent === undefined) {
    w3c.inject(call.requestTrace ?? newRequestTrace(), call.headers, defaultTextMapSetter);
    return send();
  }
  if (!parent.isRecording()) {
    inject(active, call.headers);
    return send();
  }
  return sendInClientSpan(call, active, send);
}

// The span ends with the answer's headers: a streamed body (CSV, PDF) is not waited for.
async function sendInClientSpan(call: ServiceCall, active: Context, send: () => Promise<Response>): Promise<Response> {
  const span = trace.getTracer("web-frontend").startSpan(
    call.method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: call.method,
        // Without the query: it may hold what a user typed into a search.
        [ATTR_URL_FULL]: call.url.origin + call.url.pathname,
        [ATTR_SERVER_ADDRESS]: call.url.hostname,
        [ATTR_SERVER_PORT]: Number(call.url.port || (call.url.protocol === "https:" ? 443 : 80)),
      },
    },
    active,
  );
  inject(trace.setSpan(active, span), call.headers);
  try {
    const response = await send();
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
    if (response.status >= 500) {
      span.setAttribute(ATTR_ERROR_TYPE, String(response.status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    return response;
  } catch (error) {
    span.setAttribute(ATTR_ERROR_TYPE, error instanceof Error ? error.name : "Error");
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}
