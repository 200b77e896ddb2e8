/**
 * The security headers the proxy adds to pages and BFF answers: what depends on the request or
 * on the running server's settings — the Content-Security-Policy with a fresh nonce, and HSTS.
 * next.config.ts sends the constant ones (nosniff, X-Frame-Options, Referrer-Policy,
 * Permissions-Policy) on every answer, static files included.
 */

type Env = Record<string, string | undefined>;

/** Two years, subdomains included: what hstspreload.org asks for. */
export const HSTS = "max-age=63072000; includeSubDomains";

/**
 * Whether the app is served over https: its AUTH_URL (or NEXTAUTH_URL) is https, or — with
 * neither set — it runs in production. The rule that makes the session cookie `Secure`
 * (lib/auth/cookies.ts); browsers ignore HSTS received over plain http anyway.
 */
export function servedOverHttps(env: Env = process.env): boolean {
  const url = (env.AUTH_URL || env.NEXTAUTH_URL || "").trim();
  if (url) return url.startsWith("https://");
  return env.NODE_ENV === "production";
}

/** A fresh, unguessable nonce for one response (128 bits, base64). */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The pages' policy. Scripts: only those carrying this response's nonce (Next.js puts it on its
 * own scripts, read from this header during dynamic rendering) and what they load
 * ('strict-dynamic'); no inline script without the nonce, no `eval` outside `next dev` (React's
 * dev tooling needs it there). Styles keep 'unsafe-inline': React renders `style="…"` attributes
 * (Recharts' SVG, widths of bars and columns) that a nonce cannot cover, and a nonce in
 * `style-src` would make browsers ignore 'unsafe-inline'. Everything else comes from this origin.
 */
export function pageContentSecurityPolicy({
  nonce,
  dev = false,
  https = false,
}: {
  nonce: string;
  dev?: boolean;
  https?: boolean;
}): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  // Over plain http (a workstation's `tberp.py up` reached by its LAN address) this would send
  // every asset request to an https port that does not exist.
  if (https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/** The BFF's JSON and CSV answers: nothing in them may load or run anything, or be framed. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * A PDF shown in the browser is rendered by its built-in viewer, which a `default-src 'none'`
 * (through `object-src`) can block in Chromium: only framing is forbidden there.
 */
export const PDF_CONTENT_SECURITY_POLICY = "frame-ancestors 'none'";

/** The policy of a BFF path: the PDF's, or the JSON answers'. */
export function apiContentSecurityPolicy(pathname: string): string {
  return /^\/api\/invoices\/[^/]+\/pdf$/.test(pathname) ? PDF_CONTENT_SECURITY_POLICY : API_CONTENT_SECURITY_POLICY;
}
