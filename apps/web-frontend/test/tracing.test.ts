import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type ProxyTracerProvider,
  type SpanContext,
} from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GET as getAssets } from "@/app/api/assets/route";
import { register } from "@/instrumentation";
import { tracingConfigured } from "@/lib/telemetry/config";
import { registerTracerProvider } from "@/lib/telemetry/node";
import { ASSET, EMPLOYEE, asset, employee, employeesByIds, fakeServices, page } from "./support/fake-services";
import { appRequest, sessionCookieHeader } from "./support/session";

/** Back to no tracer at all, as a server without OTLP settings starts. */
function unregisterOpenTelemetry() {
  trace.disable();
  context.disable();
  propagation.disable();
}

function assetsWithOwners(assetAnswer: Parameters<typeof fakeServices>[0][string] = { json: page([asset({ assigned_employee_id: 2 })]) }) {
  return fakeServices({
    [`GET ${ASSET}/api/v1/assets`]: assetAnswer,
    [`GET ${EMPLOYEE}/api/v1/employees`]: employeesByIds([employee(2, "Helen", "Hughes")]),
  });
}

/** Answers `GET /api/assets` inside a server span, as Next.js does once a tracer is registered. */
async function assetsInRequestSpan(): Promise<{ status: number; requestSpan: SpanContext }> {
  const cookie = await sessionCookieHeader();
  return trace.getTracer("next.js").startActiveSpan("GET /api/assets", { kind: SpanKind.SERVER }, async (span) => {
    try {
      const response = await getAssets(appRequest("/api/assets", { headers: { cookie } }));
      return { status: response.status, requestSpan: span.spanContext() };
    } finally {
      span.end();
    }
  });
}

describe("trace context with a tracer registered (OTLP configured)", () => {
  let exporter: InMemorySpanExporter;
  let provider: NodeTracerProvider;

  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    provider = registerTracerProvider([new SimpleSpanProcessor(exporter)]);
  });

  afterEach(async () => {
    await provider.shutdown();
    unregisterOpenTelemetry();
    vi.unstubAllGlobals();
  });

  it("each service call carries the trace id of the BFF's active span, as the child of a client span of its own", async () => {
    const services = assetsWithOwners();
    vi.stubGlobal("fetch", services.fetch);
    const { status, requestSpan } = await assetsInRequestSpan();
    expect(status).toBe(200);

    const clientSpans = exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.CLIENT);
    expect(clientSpans).toHaveLength(2);
    expect(services.calls).toHaveLength(2);
    services.calls.forEach((call, index) => {
      const client = clientSpans[index];
      // The service's span continues this one: its parent is the call, the call's the request.
      expect(call.headers.get("traceparent")).toBe(`00-${requestSpan.traceId}-${client?.spanContext().spanId}-01`);
      expect(client?.parentSpanContext?.spanId).toBe(requestSpan.spanId);
      expect(client?.attributes).toMatchObject({
        "http.request.method": "GET",
        "http.response.status_code": 200,
        "server.address": "127.0.0.1",
        "url.full": `${call.url.origin}${call.url.pathname}`,
      });
    });
    expect(clientSpans.map((span) => span.attributes["server.port"])).toEqual([8002, 8001]);
  });

  it("a service that fails or cannot be reached leaves its call's span marked as an error", async () => {
    for (const [answer, errorType] of [
      [{ status: 503, json: {} }, "503"],
      [{ networkError: "ECONNREFUSED" }, "TypeError"],
    ] as const) {
      exporter.reset();
      vi.stubGlobal("fetch", assetsWithOwners(answer).fetch);
      const { status } = await assetsInRequestSpan();
      expect(status).toBe(503);
      const [call] = exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.CLIENT);
      expect(call?.status.code).toBe(SpanStatusCode.ERROR);
      expect(call?.attributes["error.type"]).toBe(errorType);
    }
  });

  it("a request the tracer did not sample is passed on unsampled, and records nothing", async () => {
    const unsampled: SpanContext = {
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      traceFlags: TraceFlags.NONE,
    };
    const services = assetsWithOwners();
    vi.stubGlobal("fetch", services.fetch);
    const cookie = await sessionCookieHeader();
    await context.with(trace.setSpanContext(ROOT_CONTEXT, unsampled), () =>
      getAssets(appRequest("/api/assets", { headers: { cookie } })),
    );
    expect(services.calls.map((call) => call.headers.get("traceparent"))).toEqual([
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
    ]);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});

describe("instrumentation.ts registers the tracer only when OTLP is configured", () => {
  const fetchSpansBefore = process.env.NEXT_OTEL_FETCH_DISABLED;

  afterEach(async () => {
    const delegate = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate();
    if (delegate instanceof NodeTracerProvider) await delegate.shutdown();
    unregisterOpenTelemetry();
    vi.unstubAllEnvs();
    if (fetchSpansBefore === undefined) delete process.env.NEXT_OTEL_FETCH_DISABLED;
    else process.env.NEXT_OTEL_FETCH_DISABLED = fetchSpansBefore;
  });

  const registered = () => (trace.getTracerProvider() as ProxyTracerProvider).getDelegate();

  it("with OTEL_EXPORTER_OTLP_ENDPOINT on the Node server: a Node tracer provider, and Next's fetch span off", async () => {
    vi.stubEnv("NEXT_RUNTIME", "nodejs");
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318");
    await register();
    expect(registered()).toBeInstanceOf(NodeTracerProvider);
    expect(process.env.NEXT_OTEL_FETCH_DISABLED).toBe("1");
  });

  it("nothing without an endpoint, with OTEL_SDK_DISABLED=true, or outside the Node runtime", async () => {
    for (const env of [
      { NEXT_RUNTIME: "nodejs" },
      { NEXT_RUNTIME: "nodejs", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SDK_DISABLED: "true" },
      { NEXT_RUNTIME: "edge", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" },
    ]) {
      vi.unstubAllEnvs();
      vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", undefined);
      for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
      await register();
      expect(registered()).not.toBeInstanceOf(NodeTracerProvider);
    }
  });

  it("reads the standard variables: either endpoint turns tracing on, the SDK's off switches win", () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: " " })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "TRUE" })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "false" })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_TRACES_EXPORTER: "none" })).toBe(false);
  });
});
