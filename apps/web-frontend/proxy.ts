import { NextResponse, type NextRequest } from "next/server";
import { SESSION_COOKIE } from "@/lib/auth/cookies";
import { readSession } from "@/lib/auth/token";
import {
  apiContentSecurityPolicy,
  HSTS,
  newNonce,
  pageContentSecurityPolicy,
  servedOverHttps,
} from "@/lib/security-headers";

const DEV = process.env.NODE_ENV === "development";

/**
 * In front of every page and BFF answer (static files excepted):
 * - security headers decided per request: the Content-Security-Policy — for pages with a fresh
 *   nonce, also set on the request so that Next.js puts it on its scripts while rendering — and
 *   HSTS when the app is served over https (next.config.ts sends the constant ones);
 * - signed-out users go to /login (with the page they wanted as `callbackUrl`); a session whose
 *   service token expired goes to /login with "your session expired", and its cookie is dropped.
 *   The BFF's own routes (/api/*) answer 401 in JSON instead, and next-auth's routes and the
 *   login page are let through.
 */
export async function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  const https = servedOverHttps();
  if (pathname === "/api" || pathname.startsWith("/api/")) {
    return withSecurityHeaders(NextResponse.next(), apiContentSecurityPolicy(pathname), https);
  }

  const nonce = newNonce();
  const policy = pageContentSecurityPolicy({ nonce, dev: DEV, https });
  if (pathname === "/login" || pathname.startsWith("/login/")) return pageResponse(request, policy, https);

  const session = await readSession(request.cookies);
  if (session && !session.expired) return pageResponse(request, policy, https);

  const login = new URL("/login", request.url);
  if (session?.expired) {
    login.searchParams.set("reason", "expired");
  } else if (pathname !== "/") {
    login.searchParams.set("callbackUrl", pathname + request.nextUrl.search);
  }
  const response = NextResponse.redirect(login);
  if (session?.expired) {
    for (const cookie of request.cookies.getAll()) {
      // Same attributes as when set: browsers ignore a `__Secure-` cookie's deletion without Secure.
      if (cookie.name.startsWith(SESSION_COOKIE.name)) {
        response.cookies.set(cookie.name, "", { ...SESSION_COOKIE.options, maxAge: 0 });
      }
    }
  }
  return withSecurityHeaders(response, policy, https);
}

/** Renders the page with the policy on the request too: Next.js reads the nonce from there. */
function pageResponse(request: NextRequest, policy: string, https: boolean): NextResponse {
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  return withSecurityHeaders(NextResponse.next({ request: { headers } }), policy, https);
}

function withSecurityHeaders(response: NextResponse, policy: string, https: boolean): NextResponse {
  response.headers.set("Content-Security-Policy", policy);
  if (https) response.headers.set("Strict-Transport-Security", HSTS);
  return response;
}

export const config = {
  // Every page and BFF route: only the build's static files (which carry next.config.ts's
  // headers) skip it.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
