import "server-only";
import { decode, type JWT } from "next-auth/jwt";
import type { SessionUser } from "@/types/next-auth";
import { authSecret } from "../env";
import { SESSION_COOKIE } from "./cookies";

/** True once the service token inside the session must no longer be used. */
export function isTokenExpired(token: Pick<JWT, "accessTokenExpires">, now = Date.now()): boolean {
  return typeof token.accessTokenExpires !== "number" || token.accessTokenExpires <= now;
}

/** The signed-in user and, for server code only, their service token. */
export interface ServerSession {
  user: SessionUser;
  /** The service JWT: forwarded as `Authorization: Bearer …`, never sent to the browser. */
  accessToken: string;
  expired: boolean;
}

interface CookieReader {
  getAll(): { name: string; value: string }[];
}

/** The session cookie's value, joined from next-auth's chunks (`name.0`, `name.1`, …) if split. */
function sessionCookieValue(store: CookieReader): string | null {
  const name = SESSION_COOKIE.name;
  const all = store.getAll();
  const whole = all.find((cookie) => cookie.name === name);
  if (whole) return whole.value;
  const chunks = all
    .filter((cookie) => cookie.name.startsWith(`${name}.`))
    .map((cookie) => ({ index: Number(cookie.name.slice(name.length + 1)), value: cookie.value }))
    .filter((chunk) => Number.isInteger(chunk.index))
    .sort((a, b) => a.index - b.index);
  return chunks.length > 0 ? chunks.map((chunk) => chunk.value).join("") : null;
}

// Sessions already decrypted, by the cookie's exact value, until the cookie's own expiry: the
// browser sends the same cookie with every request, and decrypting it again (a key derivation,
// then the JWE) was the BFF's largest single cost per request under load. Only a cookie that
// decrypted is kept; whether its service token has run out is still worked out on every request.
const decrypted = new Map<string, { token: JWT; until: number; secret: string }>();
const DECRYPTED_KEPT = 1000;

async function decrypt(value: string): Promise<JWT | null> {
  const secret = authSecret();
  const known = decrypted.get(value);
  if (known && known.secret === secret && Date.now() < known.until) return known.token;
  const token = await decode({ token: value, secret });
  if (token && typeof token.exp === "number") {
    if (decrypted.size >= DECRYPTED_KEPT) {
      const oldest = decrypted.keys().next();
      if (!oldest.done) decrypted.delete(oldest.value);
    }
    decrypted.set(value, { token, until: token.exp * 1000, secret });
  }
  return token;
}

/** Decrypts the session cookie; null when there is none or it is not ours. */
export async function readSession(store: CookieReader): Promise<ServerSession | null> {
  const value = sessionCookieValue(store);
  if (!value) return null;
  let token: JWT | null;
  try {
    token = await decrypt(value);
  } catch {
    return null;
  }
  if (!token?.sub || !token.accessToken) return null;
  return {
    user: {
      id: token.sub,
      employeeId: token.employeeId ?? null,
      email: token.email ?? "",
      roles: token.roles ?? [],
    },
    accessToken: token.accessToken,
    expired: isTokenExpired(token),
  };
}
