import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { sessionCookie } from "@/lib/auth/cookies";

/** The tests' AUTH_SECRET (vitest.config.mts sets it) and the app's origin. */
export const SECRET = "test-secret-test-secret-test-secret-1234";
export const SERVICE_TOKEN = "the-users-service-token";
export const APP = "http://localhost:3000";

/** A `cookie` header holding a session of the given roles (admin by default). */
export async function sessionCookieHeader(
  { roles = ["admin", "employee"], expiresInMs = 60 * 60 * 1000 }: { roles?: string[]; expiresInMs?: number } = {},
): Promise<string> {
  const value = await encode({
    token: {
      sub: "1",
      email: "someone@tb-erp.example",
      roles,
      employeeId: 1,
      accessToken: SERVICE_TOKEN,
      accessTokenExpires: Date.now() + expiresInMs,
    },
    secret: SECRET,
  });
  return `${sessionCookie(false).name}=${value}`;
}

/** A request to a BFF route, as the app's own pages send it (same origin). */
export function appRequest(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): NextRequest {
  const method = init.method ?? "GET";
  const mutating = method !== "GET" && method !== "HEAD";
  return new NextRequest(`${APP}${path}`, {
    method,
    headers: {
      host: "localhost:3000",
      ...(mutating ? { origin: APP } : {}),
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}
