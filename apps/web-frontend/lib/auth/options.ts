import "server-only";
import type { NextAuthOptions, Session, User } from "next-auth";
import type { JWT } from "next-auth/jwt";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { appUrl, authSecret } from "../env";
import { employeeService } from "../services/employee";
import type { ServiceContext } from "../services/http";
import { secureCookies, sessionCookie } from "./cookies";
import { loginRefusalMessage } from "./login-errors";
import { isTokenExpired } from "./token";

/** The session cookie lives a working day; the service token inside it usually expires sooner. */
const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;
/** Stop using a service token this long before it expires, so no call races its expiry. */
const TOKEN_EXPIRY_MARGIN_MS = 30_000;

const credentialsSchema = z.object({
  email: z.string().trim().min(1, "Enter your email"),
  password: z.string().min(1, "Enter your password"),
});

/**
 * Signs in with the employee service. A refusal throws the message the login form shows (the
 * service's "Invalid email or password"; after too many failures, how long to wait), which
 * next-auth hands to the form as `error` (`?error=`, or `signIn()`'s `result.error`).
 */
export async function authorizeWithEmployeeService(
  credentials: Record<string, string> | undefined,
  context: ServiceContext = {},
): Promise<User> {
  const parsed = credentialsSchema.safeParse(credentials ?? {});
  if (!parsed.success) {
    throw new Error(parsed.error.issues[0]?.message ?? "Enter your email and password");
  }
  try {
    const answer = await employeeService.login(parsed.data, context);
    return {
      id: String(answer.user.id),
      employeeId: answer.user.employee_id,
      email: answer.user.email,
      roles: answer.user.roles,
      accessToken: answer.access_token,
      accessTokenExpires: Date.now() + answer.expires_in * 1000 - TOKEN_EXPIRY_MARGIN_MS,
    };
  } catch (error) {
    const message = loginRefusalMessage(error);
    if (message !== null) throw new Error(message);
    throw error;
  }
}

/** The encrypted cookie's content: who, and the service token (never sent to the browser). */
export async function jwtCallback({ token, user }: { token: JWT; user?: User | null }): Promise<JWT> {
  if (user) {
    return {
      sub: user.id,
      email: user.email,
      employeeId: user.employeeId,
      roles: user.roles,
      accessToken: user.accessToken,
      accessTokenExpires: user.accessTokenExpires,
    };
  }
  return token;
}

/**
 * What `/api/auth/session` and `useSession()` show: who is signed in and their roles. Built field
 * by field from the JWT, so the service token can never slip through.
 */
export async function sessionCallback({
  session,
  token,
}: {
  session: Session;
  token: JWT;
}): Promise<Session> {
  const answer: Session = {
    expires: session.expires,
    user: {
      id: token.sub ?? "",
      employeeId: token.employeeId ?? null,
      email: token.email ?? "",
      roles: token.roles ?? [],
    },
  };
  if (isTokenExpired(token)) answer.error = "SessionExpired";
  return answer;
}

/** next-auth's options; built per request so that `next build` needs no secret. */
export function authOptions(): NextAuthOptions {
  // next-auth 4 reads NEXTAUTH_URL; AUTH_URL is the name the rest of our setup uses.
  const url = appUrl();
  if (url && !process.env.NEXTAUTH_URL) process.env.NEXTAUTH_URL = url.toString();
  return {
    secret: authSecret(),
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    jwt: { maxAge: SESSION_MAX_AGE_SECONDS },
    useSecureCookies: secureCookies(),
    cookies: { sessionToken: sessionCookie(secureCookies()) },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "TB ERP",
        credentials: {
          email: { label: "Email", type: "email" },
          password: { label: "Password", type: "password" },
        },
        authorize: (credentials) => authorizeWithEmployeeService(credentials),
      }),
    ],
    callbacks: { jwt: jwtCallback, session: sessionCallback },
  };
}
