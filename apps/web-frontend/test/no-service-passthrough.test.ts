import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GET as getAsset } from "@/app/api/assets/[id]/route";
import { callService, serviceCallUrl } from "@/lib/services/http";
import nextConfig from "@/next.config";
import { proxy } from "@/proxy";
import { ASSET, fakeServices } from "./support/fake-services";
import { appRequest, sessionCookieHeader } from "./support/session";

// Every service serves Prometheus metrics on its own port; only Prometheus may read them.
const TRICKS = [
  "/metrics",
  "/ready",
  "//metrics",
  "/api/v1/../../metrics",
  "/api/v1/assets/../../../metrics",
  "/api/v1/assets/%2e%2e/%2E%2E/%2e%2e/metrics",
  "/api/v1/assets/..%2f..%2f..%2fmetrics",
  "/api/v1/assets/..%5C..%5C..%5Cmetrics",
  "/api/v1/assets\\..\\..\\..\\metrics",
  "/api/v1/assets/./../../../metrics",
  "/api/v1/assets?next=/metrics",
  "/api/v1/assets#/metrics",
  "/api/v1",
];

describe("a service's /metrics cannot be reached through the BFF", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("the one URL builder of service calls refuses every path outside /api/v1/, however it is written", () => {
    for (const path of TRICKS) {
      expect(() => serviceCallUrl("asset", path), path).toThrow(/outside \/api\/v1\//);
    }
    expect(serviceCallUrl("asset", "/api/v1/assets/12", { ids: [1, 2] }).href).toBe(
      `${ASSET}/api/v1/assets/12?ids=1%2C2`,
    );
  });

  it("a refused path never reaches the service", async () => {
    const services = fakeServices({ [`GET ${ASSET}/metrics`]: { text: "process_cpu_seconds_total 1" } });
    for (const path of TRICKS) {
      await expect(callService("asset", path, { fetch: services.fetch }, { schema: null })).rejects.toThrow();
    }
    expect(services.calls).toHaveLength(0);
  });

  it("an id in a BFF path is a number before it becomes part of a service path", async () => {
    const services = fakeServices({});
    vi.stubGlobal("fetch", services.fetch);
    const cookie = await sessionCookieHeader();
    for (const id of ["../../metrics", "..%2F..%2Fmetrics", "1/../../../metrics", "%2e%2e"]) {
      const response = await getAsset(appRequest(`/api/assets/${encodeURIComponent(id)}`, { headers: { cookie } }), {
        params: Promise.resolve({ id }),
      });
      expect(response.status, id).toBe(422);
    }
    expect(services.calls).toHaveLength(0);
  });

  it("no route forwards an arbitrary path: the only catch-all is next-auth's, and next.config rewrites nothing", () => {
    const app = fileURLToPath(new URL("../app", import.meta.url));
    const catchAlls = readdirSync(app, { recursive: true, encoding: "utf8" })
      .map((entry) => entry.split(/[\\/]/).join("/"))
      .filter((entry) => /\[\[?\.\.\./.test(entry.split("/").pop() ?? ""));
    expect(catchAlls).toEqual(["api/auth/[...nextauth]"]);
    expect(nextConfig.rewrites).toBeUndefined();
    expect(nextConfig.redirects).toBeUndefined();
  });

  it("the proxy in front of every request rewrites nothing to another address, signed in or not", async () => {
    const cookie = await sessionCookieHeader();
    for (const path of ["/metrics", "/api/metrics", "/api/../metrics", "/api/v1/metrics", "/api/assets/..%2F..%2Fmetrics"]) {
      for (const headers of [{}, { cookie }] as Record<string, string>[]) {
        const response = await proxy(appRequest(path, { headers }));
        expect(response.headers.get("x-middleware-rewrite"), path).toBeNull();
        const location = response.headers.get("location");
        if (location !== null) expect(new URL(location).pathname, path).toBe("/login");
      }
    }
  });
});
