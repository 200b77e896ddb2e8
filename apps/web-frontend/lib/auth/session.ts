import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import type { ServiceContext } from "../services/http";
import { newRequestTrace } from "../telemetry/propagation";
import { readSession, type ServerSession } from "./token";

export { readSession, type ServerSession } from "./token";

/** The session of the request being rendered (server components, route handlers). */
export async function getSession(): Promise<ServerSession | null> {
  return readSession(await cookies());
}

export const LOGIN_EXPIRED = "/login?reason=expired";

/**
 * For server pages: the signed-in user's session, or a redirect to /login (with "your session
 * expired" when the service token ran out).
 */
export async function requireSession(): Promise<ServerSession> {
  const session = await getSession();
  if (!session) redirect("/login");
  if (session.expired) redirect(LOGIN_EXPIRED);
  return session;
}

// React's per-request memo: the layout and the page of one render share a trace; the next render
// gets a new one.
const renderTrace = cache(newRequestTrace);

/**
 * The service context of a session for a server page: its token for the typed clients, and the
 * render's trace, which every service call of the page load carries.
 */
export function serviceContext(session: ServerSession): ServiceContext {
  return { token: session.accessToken, requestTrace: renderTrace() };
}
