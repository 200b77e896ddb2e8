import { NextResponse } from "next/server";

/** Liveness of the web app itself (no session, no service calls): what `up` and probes wait for. */
export function GET(): NextResponse {
  return NextResponse.json({ status: "ok", service: "web-frontend" }, { headers: { "cache-control": "no-store" } });
}
