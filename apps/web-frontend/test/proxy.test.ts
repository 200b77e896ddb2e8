import { afterEach, describe, expect, it, vi } from "vitest";
import { sessionCookie } from "@/lib/auth/cookies";
import { pageContentSecurityPolicy } from "@/lib/security-headers";
import { proxy } from "@/proxy";
import { appRequest, sessionCookieHeader } from "./support/session";

const NAME = sessionCookie(false).name;

const cookieFor = (expiresInMs: number) => sessionCookieHeader({ roles: ["employee"], expiresInMs });

const get = (path: string, cookie?: string) => appRequest(path, { headers: cookie ? { cookie } : {} });

describe("the proxy in front of the pages", () => {
  it("sends a signed-out user to /login, remembering the page they wanted", async () => {
    const response = await proxy(get("/assets?status=assigned"));
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe(
      "http://localhost:3000/login?callbackUrl=%2Fassets%3Fstatus%3Dassigned",
    );
    expect((await proxy(get("/"))).headers.get("location")).toBe("http://localhost:3000/login");
  });

  it("sends a user whose service token expired to /login with the reason, and drops the cookie", async () => {
    const response = await proxy(get("/dashboard", await cookieFor(-1000)));
    expect(response.headers.get("location")).toBe("http://localhost:3000/login?reason=expired");
    const cleared = response.headers.get("set-cookie") ?? "";
    expect(cleared).toContain(`${NAME}=;`);
    expect(cleared).toMatch(/Max-Age=0/i);
    expect(cleared).toMatch(/HttpOnly/i);
    expect(cleared).toMatch(/SameSite=lax/i);
  });

  it("lets a signed-in user through", async () => {
    const response = await proxy(get("/dashboard", await cookieFor(60_000)));
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("x-middleware-next")).toBe("1");
  });
});

const policyOf = (response: Response) => response.headers.get("content-security-policy") ?? "";
const nonceOf = (policy: string) => /'nonce-([^']+)'/.exec(policy)?.[1];

describe("the security headers the proxy adds", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("gives every page a policy with a fresh nonce, on the answer and on the request Next.js renders", async () => {
    const cookie = await cookieFor(60_000);
    const first = await proxy(get("/dashboard", cookie));
    const second = await proxy(get("/dashboard", cookie));
    const policy = policyOf(first);
    const nonce = nonceOf(policy);
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(nonceOf(policyOf(second))).not.toBe(nonce);
    expect(policy).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(policy).not.toContain("'unsafe-eval'");
    for (const directive of [
      "default-src 'self'",
      "connect-src 'self'",
      "img-src 'self' data: blob:",
      "font-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ]) {
      expect(policy).toContain(directive);
    }
    // Next.js reads the nonce from the request's header while rendering.
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
  });

  it("puts a policy on the sign-in page, on the redirect to it, and a stricter one on the BFF's answers", async () => {
    const login = await proxy(get("/login?callbackUrl=%2Fassets"));
    expect(login.headers.get("location")).toBeNull();
    expect(nonceOf(policyOf(login))).toBeTruthy();
    expect(nonceOf(policyOf(await proxy(get("/assets"))))).toBeTruthy();

    const api = await proxy(get("/api/assets"));
    expect(api.headers.get("location")).toBeNull(); // the route answers 401 itself
    expect(policyOf(api)).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    expect(policyOf(await proxy(get("/api/invoices/7/pdf")))).toBe("frame-ancestors 'none'");
  });

  it("sends HSTS only when the app is served over https", async () => {
    expect((await proxy(get("/login"))).headers.get("strict-transport-security")).toBeNull();
    vi.stubEnv("AUTH_URL", "https://erp.example.com");
    const login = await proxy(get("/login"));
    expect(login.headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
    expect(policyOf(login)).toContain("upgrade-insecure-requests");
    expect((await proxy(get("/api/health"))).headers.get("strict-transport-security")).toBe(
      "max-age=63072000; includeSubDomains",
    );
  });

  it("allows eval only under next dev", () => {
    expect(pageContentSecurityPolicy({ nonce: "n", dev: true })).toContain("script-src 'self' 'nonce-n' 'strict-dynamic' 'unsafe-eval'");
    expect(pageContentSecurityPolicy({ nonce: "n" })).not.toContain("unsafe-eval");
  });

  it("leaves static headers to next.config.ts, on every path", async () => {
    const { default: nextConfig } = await import("@/next.config");
    const rules = (await nextConfig.headers?.()) ?? [];
    expect(rules).toHaveLength(1);
    expect(rules[0]?.source).toBe("/:path*");
    expect(Object.fromEntries(rules[0]?.headers.map((h) => [h.key, h.value]) ?? [])).toMatchObject({
      "X-Content-Type-Options": "nosniff",
      "X-Frame-Options": "DENY",
      "Referrer-Policy": "same-origin",
      "Permissions-Policy": expect.stringContaining("camera=(), microphone=(), geolocation=()"),
    });
  });
});
