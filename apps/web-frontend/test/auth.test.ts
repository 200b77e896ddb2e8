import { decode, encode, type JWT } from "next-auth/jwt";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sessionCookie } from "@/lib/auth/cookies";
import { authOptions, authorizeWithEmployeeService } from "@/lib/auth/options";
import { SIGN_IN_FAILED, signInErrorMessage } from "@/lib/auth/sign-in-error";
import { readSession } from "@/lib/auth/token";
import { parseRetryAfter } from "@/lib/services/errors";
import { EMPLOYEE, fakeServices } from "./support/fake-services";
import { AuthHandler, type InternalCookie } from "./support/next-auth-core";

const SECRET = "test-secret-test-secret-test-secret-1234";
const SERVICE_TOKEN = "eyJhbGciOiJIUzI1NiJ9.the-service-token.signature";
const COOKIE = sessionCookie(false).name;

const loginAnswer = {
  access_token: SERVICE_TOKEN,
  token_type: "bearer",
  expires_in: 3600,
  user: { id: 5, employee_id: 5, email: "employee@tb-erp.example", roles: ["employee"] },
};

/** next-auth's own request handling, as the /api/auth/[...nextauth] route runs it. */
async function auth(
  action: string,
  { method = "GET", cookies = {}, body, providerId }: { method?: string; cookies?: Record<string, string>; body?: Record<string, string>; providerId?: string } = {},
) {
  const response = await AuthHandler({
    req: { method, action, providerId, cookies, headers: { host: "localhost:3000" }, query: {}, body },
    options: authOptions(),
  });
  return { ...response, cookies: response.cookies ?? ([] as InternalCookie[]) };
}

async function signIn(fetchImpl: typeof fetch) {
  vi.stubGlobal("fetch", fetchImpl);
  const csrf = await auth("csrf");
  const csrfCookie = csrf.cookies.find((cookie) => cookie.name.includes("csrf-token"));
  const { csrfToken } = csrf.body as { csrfToken: string };
  return auth("callback", {
    method: "POST",
    providerId: "credentials",
    cookies: { [csrfCookie?.name ?? ""]: csrfCookie?.value ?? "" },
    body: { email: "employee@tb-erp.example", password: "Employee-demo-2026", csrfToken },
  });
}

describe("signing in with the employee service", () => {
  beforeEach(() => vi.stubEnv("NEXTAUTH_URL", "http://localhost:3000"));
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.unstubAllEnvs();
  });

  it("keeps the service token in an HTTP-only SameSite=Lax cookie, encrypted", async () => {
    const services = fakeServices({ [`POST ${EMPLOYEE}/api/v1/auth/login`]: { json: loginAnswer } });
    const answer = await signIn(services.fetch);

    const session = answer.cookies.find((cookie) => cookie.name === COOKIE);
    expect(session?.options).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/", secure: false });
    expect(session?.value).not.toContain(SERVICE_TOKEN);
    const token = await decode({ token: session?.value, secret: SECRET });
    expect(token).toMatchObject({ sub: "5", accessToken: SERVICE_TOKEN, roles: ["employee"], employeeId: 5 });
  });

  it("marks the cookie Secure, under the __Secure- prefix, in production", () => {
    expect(sessionCookie(true)).toEqual({
      name: "__Secure-next-auth.session-token",
      options: { httpOnly: true, sameSite: "lax", path: "/", secure: true },
    });
  });

  it("never shows the service token in /api/auth/session", async () => {
    const services = fakeServices({ [`POST ${EMPLOYEE}/api/v1/auth/login`]: { json: loginAnswer } });
    const signedIn = await signIn(services.fetch);
    const session = signedIn.cookies.find((cookie) => cookie.name === COOKIE);

    const answer = await auth("session", { cookies: { [COOKIE]: session?.value ?? "" } });

    expect(JSON.stringify(answer.body)).not.toContain(SERVICE_TOKEN);
    expect(JSON.stringify(answer.body)).not.toMatch(/accessToken|access_token/);
    expect(answer.body).toMatchObject({
      user: { id: "5", employeeId: 5, email: "employee@tb-erp.example", roles: ["employee"] },
    });
  });

  it("says the session expired once the service token ran out, still without the token", async () => {
    const expired: JWT = {
      sub: "5",
      email: "employee@tb-erp.example",
      roles: ["employee"],
      accessToken: SERVICE_TOKEN,
      accessTokenExpires: Date.now() - 1000,
    };
    const cookie = await encode({ token: expired, secret: SECRET });

    const answer = await auth("session", { cookies: { [COOKIE]: cookie } });
    expect(answer.body).toMatchObject({ error: "SessionExpired" });
    expect(JSON.stringify(answer.body)).not.toContain(SERVICE_TOKEN);

    const server = await readSession({ getAll: () => [{ name: COOKIE, value: cookie }] });
    expect(server).toMatchObject({ expired: true, accessToken: SERVICE_TOKEN });
  });

  it("gives the login form the service's own message when it refuses", async () => {
    const refuse = (status: number, detail: string, code: string) =>
      fakeServices({ [`POST ${EMPLOYEE}/api/v1/auth/login`]: { status, json: { detail, code } } }).fetch;

    await expect(
      authorizeWithEmployeeService({ email: "a@b.c", password: "bad" }, { fetch: refuse(401, "Invalid email or password", "invalid_credentials") }),
    ).rejects.toThrow("Invalid email or password");
    await expect(
      authorizeWithEmployeeService({ email: "a@b.c", password: "bad" }, { fetch: refuse(429, "Too many failed logins; try again in 60 s", "rate_limited") }),
    ).rejects.toThrow("Too many failed logins; try again in 60 s");
    const down = fakeServices({ [`POST ${EMPLOYEE}/api/v1/auth/login`]: { networkError: "ECONNREFUSED" } }).fetch;
    await expect(authorizeWithEmployeeService({ email: "a@b.c", password: "x" }, { fetch: down })).rejects.toThrow(
      "Sign-in is unavailable right now",
    );
  });

  it("hands a refused sign-in's message to the login form through next-auth", async () => {
    const services = fakeServices({
      [`POST ${EMPLOYEE}/api/v1/auth/login`]: {
        status: 401,
        json: { detail: "Invalid email or password", code: "invalid_credentials" },
      },
    });
    const answer = await signIn(services.fetch);
    expect(answer.redirect).toContain(`error=${encodeURIComponent("Invalid email or password")}`);
    expect(answer.cookies.find((cookie) => cookie.name === COOKIE)).toBeUndefined();
  });

  it("tells a rate-limited user how long to wait, from the service's Retry-After", async () => {
    const limited = (retryAfter?: string) =>
      fakeServices({
        [`POST ${EMPLOYEE}/api/v1/auth/login`]: {
          status: 429,
          json: { detail: "Too many failed logins for this email; try again in a minute", code: "too_many_requests" },
          headers: retryAfter === undefined ? {} : { "retry-after": retryAfter },
        },
      }).fetch;
    const attempt = (retryAfter?: string) =>
      authorizeWithEmployeeService({ email: "a@b.c", password: "bad" }, { fetch: limited(retryAfter) });

    await expect(attempt("42")).rejects.toThrow(
      "Too many failed sign-ins for this email. Wait 42 seconds before trying again.",
    );
    await expect(attempt("1")).rejects.toThrow("Wait 1 second before");
    await expect(attempt("61")).rejects.toThrow("Wait 61 seconds before");
    await expect(attempt("150")).rejects.toThrow("Wait 3 minutes before");
    // Without a (readable) Retry-After the service's own sentence says it.
    await expect(attempt()).rejects.toThrow("Too many failed logins for this email; try again in a minute");
    await expect(attempt("soon")).rejects.toThrow("Too many failed logins for this email; try again in a minute");
  });

  it("hands the rate limit's message to the login form through next-auth, and the form shows it", async () => {
    const services = fakeServices({
      [`POST ${EMPLOYEE}/api/v1/auth/login`]: {
        status: 429,
        json: { detail: "Too many failed logins for this email; try again in a minute", code: "too_many_requests" },
        headers: { "retry-after": "37" },
      },
    });
    const answer = await signIn(services.fetch);
    const message = "Too many failed sign-ins for this email. Wait 37 seconds before trying again.";
    expect(answer.status).toBe(401);
    // signIn({redirect: false}) reads `error` from this URL: it is what the form gets as result.error.
    const error = new URL(answer.redirect ?? "", "http://localhost:3000").searchParams.get("error");
    expect(error).toBe(message);
    expect(signInErrorMessage(error)).toBe(message);
    expect(answer.cookies.find((cookie) => cookie.name === COOKIE)).toBeUndefined();
  });

  it("shows next-auth's own codes as a generic failure, never as a code", () => {
    expect(signInErrorMessage("CredentialsSignin")).toBe(SIGN_IN_FAILED);
    expect(signInErrorMessage(undefined)).toBe(SIGN_IN_FAILED);
    expect(signInErrorMessage(null)).toBe(SIGN_IN_FAILED);
    expect(signInErrorMessage("Configuration")).toBe(SIGN_IN_FAILED);
    expect(signInErrorMessage("Invalid email or password")).toBe("Invalid email or password");
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-11-30T09:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter("Mon, 30 Nov 2026 09:00:45 GMT", now)).toBe(45);
    expect(parseRetryAfter("Mon, 30 Nov 2026 08:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("later", now)).toBeNull();
  });

  it("remembers a decrypted session until the cookie expires, and no longer", async () => {
    const now = Date.now();
    const cookie = await encode({
      token: { sub: "5", accessToken: SERVICE_TOKEN, accessTokenExpires: now + 3_600_000 },
      secret: SECRET,
      maxAge: 60,
    });
    const store = { getAll: () => [{ name: COOKIE, value: cookie }] };
    expect(await readSession(store)).toMatchObject({ accessToken: SERVICE_TOKEN, expired: false });
    try {
      // Past the cookie's own expiry (and jose's 15 s tolerance) it is decrypted again: refused.
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(now + 80_000);
      expect(await readSession(store)).toBeNull();
      // Within it, the remembered session still says when the service token runs out.
      vi.setSystemTime(now + 30_000);
      expect(await readSession(store)).toMatchObject({ expired: false });
    } finally {
      vi.useRealTimers();
    }
  });

  it("reads no session from a cookie sealed with another secret", async () => {
    const forged = await encode({ token: { sub: "1", accessToken: "x" }, secret: "another-secret-another-secret-123" });
    expect(await readSession({ getAll: () => [{ name: COOKIE, value: forged }] })).toBeNull();
  });
});

describe("Secure cookies", () => {
  it("are Secure over https, not over plain http, and in production when no URL is set", async () => {
    const { secureCookies, sessionCookie } = await import("@/lib/auth/cookies");
    expect(secureCookies({ AUTH_URL: "https://erp.example.com", NODE_ENV: "production" })).toBe(true);
    expect(secureCookies({ NEXTAUTH_URL: "https://erp.example.com" })).toBe(true);
    // `tberp.py up` serves a production build on http://127.0.0.1:3000: sign-in must still work.
    expect(secureCookies({ AUTH_URL: "http://127.0.0.1:3000", NODE_ENV: "production" })).toBe(false);
    expect(secureCookies({ NODE_ENV: "production" })).toBe(true);
    expect(secureCookies({ NODE_ENV: "development" })).toBe(false);
    expect(sessionCookie(true).name).toBe("__Secure-next-auth.session-token");
    expect(sessionCookie(false).options.secure).toBe(false);
  });
});
