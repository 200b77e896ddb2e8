/**
 * The tracer of the Node.js server, registered by `instrumentation.ts` when an OTLP endpoint is
 * configured. Node only: the SDK needs `async_hooks`; never imported when tracing is off, so an
 * untraced server loads none of it.
 */
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";

/** The name traces show for this app unless OTEL_SERVICE_NAME (or OTEL_RESOURCE_ATTRIBUTES) says otherwise. */
export const SERVICE_NAME = "web-frontend";

/**
 * A tracer provider for this app, registered globally: Next.js's own spans (one root span per
 * request) and the service calls' client spans (`lib/telemetry/propagation.ts`) go through it,
 * the AsyncLocalStorage context manager carries the active span across awaits, and the W3C
 * propagator writes `traceparent`. The sampler comes from OTEL_TRACES_SAMPLER (default: parent
 * based, always on).
 */
export function registerTracerProvider(spanProcessors: SpanProcessor[]): NodeTracerProvider {
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: SERVICE_NAME }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors });
  provider.register();
  return provider;
}

/**
 * Starts exporting: spans batched to the OTLP/HTTP endpoint the standard variables name
 * (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, or OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`;
 * OTEL_EXPORTER_OTLP_HEADERS, …), read by the exporter itself.
 */
export function startTracing(): NodeTracerProvider {
  // The service calls have their own client span, which carries the trace to the service;
  // Next's span around the same fetch would be a second, unlinked copy of it.
  process.env.NEXT_OTEL_FETCH_DISABLED ??= "1";
  return registerTracerProvider([new BatchSpanProcessor(new OTLPTraceExporter())]);
}
