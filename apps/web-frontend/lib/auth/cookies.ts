/**
 * The session cookie: HTTP-only (no script reads it), SameSite=Lax (not sent on cross-site
 * sub-requests and POSTs), Secure in production (the `__Secure-` prefix makes browsers insist).
 * Its content is next-auth's encrypted JWT (A256GCM with a key derived from AUTH_SECRET).
 */
export function sessionCookie(production: boolean) {
  return {
    name: production ? "__Secure-next-auth.session-token" : "next-auth.session-token",
    options: { httpOnly: true, sameSite: "lax" as const, path: "/", secure: production },
  };
}

export const SESSION_COOKIE = sessionCookie(process.env.NODE_ENV === "production");
