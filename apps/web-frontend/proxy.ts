import { NextResponse, type NextRequest } from "next/server";
import { SESSION_COOKIE } from "@/lib/auth/cookies";
import { readSession } from "@/lib/auth/token";

/**
 * Signed-out users go to /login (with the page they wanted as `callbackUrl`); a session whose
 * service token expired goes to /login with "your session expired", and its cookie is dropped.
 * The BFF's own routes (/api/*) answer 401 in JSON instead, and next-auth's routes, the login
 * page and static files are let through.
 */
export async function proxy(request: NextRequest) {
  const session = await readSession(request.cookies);
  if (session && !session.expired) return NextResponse.next();

  const login = new URL("/login", request.url);
  if (session?.expired) {
    login.searchParams.set("reason", "expired");
  } else if (request.nextUrl.pathname !== "/") {
    login.searchParams.set("callbackUrl", request.nextUrl.pathname + request.nextUrl.search);
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
  return response;
}

export const config = {
  matcher: ["/((?!api/|login|_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
