import { describe, expect, it } from "vitest";
import { sessionCookie } from "@/lib/auth/cookies";
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
