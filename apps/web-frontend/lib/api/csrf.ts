import { appUrl } from "../env";

/**
 * CSRF defence of the BFF's state-changing routes: the request's `Origin` must be this app's own
 * origin. Browsers always send `Origin` on cross-origin requests and on every POST/PUT/PATCH/
 * DELETE fetch, and a page cannot forge it, so a form or script on another site is refused even
 * before the SameSite=Lax session cookie (which such a POST would not carry anyway) is looked at.
 * A request without `Origin` falls back to `Referer`; with neither it is refused: our own pages
 * always send one, and a non-browser client has no business replaying a browser session.
 *
 * "This app's origin" is AUTH_URL's when set (behind a proxy the Host header may be internal),
 * else the one the request was addressed to (`X-Forwarded-Host`/`Host` and the protocol), the
 * same rule Next.js applies to Server Actions.
 */
export function expectedOrigin(headers: Headers, requestUrl: string): string {
  const configured = appUrl();
  if (configured) return configured.origin;
  const host = headers.get("x-forwarded-host")?.split(",")[0]?.trim() || headers.get("host");
  const url = new URL(requestUrl);
  const protocol = headers.get("x-forwarded-proto")?.split(",")[0]?.trim() || url.protocol.replace(":", "");
  return host ? `${protocol}://${host}` : url.origin;
}

export type CsrfVerdict = { ok: true } | { ok: false; reason: string };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function checkCsrf(method: string, headers: Headers, requestUrl: string): CsrfVerdict {
  if (SAFE_METHODS.has(method.toUpperCase())) return { ok: true };
  const expected = expectedOrigin(headers, requestUrl);
  const origin = headers.get("origin");
  if (origin && origin !== "null") {
    return origin === expected ? { ok: true } : { ok: false, reason: `origin ${origin} is not ${expected}` };
  }
  const referer = headers.get("referer");
  if (referer) {
    let refererOrigin: string;
    try {
      refererOrigin = new URL(referer).origin;
    } catch {
      return { ok: false, reason: "unreadable referer" };
    }
    return refererOrigin === expected
      ? { ok: true }
      : { ok: false, reason: `referer ${refererOrigin} is not ${expected}` };
  }
  return { ok: false, reason: "no Origin or Referer header" };
}
