import { tracingConfigured } from "./lib/telemetry/config";

/**
 * Runs once when the server starts, before it answers anything (Next.js's instrumentation hook).
 * With an OTLP endpoint configured, the Node server registers its tracer; otherwise nothing is
 * loaded and Next's tracing stays off, and the service calls still carry a `traceparent` of
 * their own (`lib/telemetry/propagation.ts`).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || !tracingConfigured(process.env)) return;
  const { startTracing } = await import("./lib/telemetry/node");
  startTracing();
}
