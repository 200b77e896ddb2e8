import { afterEach, describe, expect, it, vi } from "vitest";
import { GET as search } from "@/app/api/search/route";
import { ASSET, EMPLOYEE, fakeServices } from "./support/fake-services";
import { appRequest, sessionCookieHeader, SERVICE_TOKEN } from "./support/session";

const INVOICE = "http://127.0.0.1:8003";

const emptyPage = { items: [], total: 0, limit: 5, offset: 0 };

describe("GET /api/search (the command palette)", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("asks every service the user may read once, in parallel, with their token, and groups the hits", async () => {
    let inFlight = 0;
    let most = 0;
    const slow = (json: unknown) => async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((done) => setTimeout(done, 20));
      inFlight -= 1;
      return { json };
    };
    const services = fakeServices({
      [`GET ${ASSET}/api/v1/assets`]: slow({
        ...emptyPage,
        items: [{ id: 7, asset_tag: "AST-0007", name: "ThinkPad", status: "in_stock" }],
        total: 1,
      }),
      [`GET ${INVOICE}/api/v1/invoices`]: slow({
        ...emptyPage,
        items: [{ id: 3, number: "INV-0003", customer_name: "Acme", status: "issued" }],
        total: 1,
      }),
      [`GET ${INVOICE}/api/v1/customers`]: slow({ ...emptyPage, items: [{ id: 4, name: "Acme", email: null }], total: 1 }),
      [`GET ${EMPLOYEE}/api/v1/employees`]: slow({
        ...emptyPage,
        items: [{ id: 9, first_name: "Ada", last_name: "Lovelace", email: "ada@x.test", job_title: null }],
        total: 1,
      }),
    });
    vi.stubGlobal("fetch", services.fetch);
    const answer = await search(appRequest("/api/search?q=ac", { headers: { cookie: await sessionCookieHeader() } }));
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { hits: { kind: string; title: string; href: string }[]; partial: boolean };
    expect(body.partial).toBe(false);
    expect(body.hits.map((hit) => [hit.kind, hit.title, hit.href])).toEqual([
      ["asset", "AST-0007 · ThinkPad", "/assets/7"],
      ["invoice", "INV-0003", "/invoices/3"],
      ["customer", "Acme", "/customers/4"],
      ["employee", "Ada Lovelace", "/employees/9"],
    ]);
    expect(services.calls).toHaveLength(4);
    expect(most).toBe(4);
    for (const call of services.calls) {
      expect(call.url.searchParams.get("q")).toBe("ac");
      expect(call.headers.get("authorization")).toBe(`Bearer ${SERVICE_TOKEN}`);
    }
  });

  it("searches only what the roles may read: an asset manager never asks the invoice service", async () => {
    const services = fakeServices({
      [`GET ${ASSET}/api/v1/assets`]: { json: emptyPage },
      [`GET ${EMPLOYEE}/api/v1/employees`]: { json: emptyPage },
    });
    vi.stubGlobal("fetch", services.fetch);
    const cookie = await sessionCookieHeader({ roles: ["asset_manager", "employee"] });
    const answer = await search(appRequest("/api/search?q=lap", { headers: { cookie } }));
    expect(answer.status).toBe(200);
    expect(services.callsTo(`GET ${INVOICE}`)).toHaveLength(0);
    expect(services.calls).toHaveLength(2);
  });

  it("a service that is down makes the answer partial; one that refuses the user adds nothing", async () => {
    const services = fakeServices({
      [`GET ${ASSET}/api/v1/assets`]: { networkError: "ECONNREFUSED" },
      [`GET ${INVOICE}/api/v1/invoices`]: { status: 403, json: { detail: "Not allowed", code: "forbidden" } },
      [`GET ${INVOICE}/api/v1/customers`]: { json: emptyPage },
      [`GET ${EMPLOYEE}/api/v1/employees`]: {
        json: { ...emptyPage, items: [{ id: 2, first_name: "Bo", last_name: "Ek", email: "bo@x.test", job_title: "HR" }] },
      },
    });
    vi.stubGlobal("fetch", services.fetch);
    const answer = await search(appRequest("/api/search?q=bo", { headers: { cookie: await sessionCookieHeader() } }));
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { hits: unknown[]; partial: boolean; unavailable: string[] };
    expect(body.partial).toBe(true);
    expect(body.unavailable).toEqual(["asset"]);
    expect(body.hits).toHaveLength(1);
  });

  it("refuses an empty query with a 422 naming q, and answers 401 without a session", async () => {
    const services = fakeServices({});
    vi.stubGlobal("fetch", services.fetch);
    const empty = await search(appRequest("/api/search?q=%20", { headers: { cookie: await sessionCookieHeader() } }));
    expect(empty.status).toBe(422);
    expect(((await empty.json()) as { detail: { field: string }[] }).detail[0]?.field).toBe("q");
    expect((await search(appRequest("/api/search?q=ab"))).status).toBe(401);
    expect(services.calls).toHaveLength(0);
  });
});
