import { servedOverHttps } from "../security-headers";

/**
 * Whether cookies are `Secure`: when the app is reached over https (its AUTH_URL, or NEXTAUTH_URL),
 * or — with neither set — in production. next-auth's own rule, extended to AUTH_URL: a production
 * build served over plain http (`tberp.py up` on a workstation, opened from another machine too)
 * must still be able to sign people in, and behind https the cookies are always Secure.
 */
export function secureCookies(env: Record<string, string | undefined> = process.env): boolean {
  // The same rule decides HSTS (lib/security-headers.ts).
  return servedOverHttps(env);
}

/**
 * The session cookie: HTTP-only (no script reads it), SameSite=Lax (not sent on cross-site
 * sub-requests and POSTs), Secure over https (the `__Secure-` prefix makes browsers insist).
 * Its content is next-auth's encrypted JWT (A256GCM with a key derived from AUTH_SECRET).
 */
export function sessionCookie(secure: boolean) {
  return {
    name: secure ? "__Secure-next-auth.session-token" : "next-auth.session-token",
    options: { httpOnly: true, sameSite: "lax" as const, path: "/", secure },
  };
}

export const SESSION_COOKIE = sessionCookie(secureCookies());
