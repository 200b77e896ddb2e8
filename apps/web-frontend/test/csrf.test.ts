import { afterEach, describe, expect, it, vi } from "vitest";
import { checkCsrf } from "@/lib/api/csrf";

const URL_ = "http://localhost:3000/api/attendance/check-in";

function headers(values: Record<string, string>) {
  return new Headers({ host: "localhost:3000", ...values });
}

describe("the CSRF check of state-changing BFF routes", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("lets reads through whatever their origin", () => {
    expect(checkCsrf("GET", headers({ origin: "https://evil.example" }), URL_)).toEqual({ ok: true });
  });

  it("accepts a POST from this app's own origin", () => {
    expect(checkCsrf("POST", headers({ origin: "http://localhost:3000" }), URL_)).toEqual({ ok: true });
  });

  it("refuses a POST from another origin, another port or another scheme", () => {
    for (const origin of ["https://evil.example", "http://localhost:3001", "https://localhost:3000"]) {
      expect(checkCsrf("POST", headers({ origin }), URL_).ok).toBe(false);
    }
  });

  it("falls back to the Referer and refuses a request with neither", () => {
    expect(checkCsrf("DELETE", headers({ referer: "http://localhost:3000/assets?x=1" }), URL_).ok).toBe(true);
    expect(checkCsrf("DELETE", headers({ referer: "https://evil.example/page" }), URL_).ok).toBe(false);
    expect(checkCsrf("PATCH", headers({}), URL_)).toEqual({ ok: false, reason: "no Origin or Referer header" });
    expect(checkCsrf("POST", headers({ origin: "null" }), URL_).ok).toBe(false);
  });

  it("compares with AUTH_URL when set (behind a proxy the Host header is internal)", () => {
    vi.stubEnv("AUTH_URL", "https://erp.example.com");
    const internal = new Headers({ host: "web:3000", origin: "https://erp.example.com" });
    expect(checkCsrf("POST", internal, "http://web:3000/api/x").ok).toBe(true);
    expect(checkCsrf("POST", new Headers({ host: "web:3000", origin: "http://web:3000" }), "http://web:3000/api/x").ok).toBe(false);
  });

  it("honours X-Forwarded-Host and X-Forwarded-Proto without AUTH_URL", () => {
    const forwarded = new Headers({
      host: "127.0.0.1:3000",
      "x-forwarded-host": "erp.example.com",
      "x-forwarded-proto": "https",
      origin: "https://erp.example.com",
    });
    expect(checkCsrf("POST", forwarded, "http://127.0.0.1:3000/api/x").ok).toBe(true);
  });
});
