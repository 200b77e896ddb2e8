import { afterEach, describe, expect, it, vi } from "vitest";
import { DELETE as deleteView, PUT as putView } from "@/app/api/saved-views/[id]/route";
import { GET as listViews, POST as createView } from "@/app/api/saved-views/route";
import { paramsOf, viewOf } from "@/components/list-views";
import { EMPLOYEE, fakeServices } from "./support/fake-services";
import { appRequest, sessionCookieHeader } from "./support/session";

const view = { id: 5, resource: "assets", name: "Laptops in stock", filters: { status: "in_stock", q: "laptop" }, sort: "-purchase_date", columns: ["asset_tag", "name"] };
const routeParams = (id: string) => ({ params: Promise.resolve({ id }) });

describe("saved views", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("a list's URL becomes a view and the view the same URL again, position left out", () => {
    const url = new URLSearchParams("status=in_stock&q=laptop&sort=-purchase_date&columns=asset_tag,name&offset=40&limit=20");
    const saved = viewOf(url);
    expect(saved).toEqual({ filters: { status: "in_stock", q: "laptop" }, sort: "-purchase_date", columns: ["asset_tag", "name"] });
    expect(paramsOf(saved).toString()).toBe("status=in_stock&q=laptop&sort=-purchase_date&columns=asset_tag%2Cname");
    expect(viewOf(new URLSearchParams(""))).toEqual({ filters: {}, sort: null, columns: null });
  });

  it("lists and saves through the employee service; a taken name is its 409, passed through", async () => {
    const services = fakeServices({
      [`GET ${EMPLOYEE}/api/v1/saved-views`]: { json: { items: [view], total: 1, limit: 100, offset: 0 } },
      [`POST ${EMPLOYEE}/api/v1/saved-views`]: (call) =>
        JSON.parse(call.body ?? "{}").name === "Taken"
          ? { status: 409, json: { detail: "You already have a view named 'Taken'", code: "duplicate_view_name" } }
          : { status: 201, json: { ...view, id: 6, name: JSON.parse(call.body ?? "{}").name } },
    });
    vi.stubGlobal("fetch", services.fetch);
    const cookie = await sessionCookieHeader({ roles: ["employee"] });
    const listed = await listViews(appRequest("/api/saved-views?resource=assets", { headers: { cookie } }));
    expect(listed.status).toBe(200);
    expect(services.calls[0]?.url.searchParams.get("resource")).toBe("assets");

    const body = { resource: "assets", name: "Mine", filters: { status: "assigned" }, sort: null, columns: null };
    const created = await createView(appRequest("/api/saved-views", { method: "POST", body, headers: { cookie } }));
    expect(created.status).toBe(201);
    const taken = await createView(
      appRequest("/api/saved-views", { method: "POST", body: { ...body, name: "Taken" }, headers: { cookie } }),
    );
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ code: "duplicate_view_name" });
  });

  it("refuses bad views before asking the service: unknown resource, empty name, odd filter keys", async () => {
    const services = fakeServices({});
    vi.stubGlobal("fetch", services.fetch);
    const cookie = await sessionCookieHeader();
    for (const bad of [
      { resource: "salaries", name: "x" },
      { resource: "assets", name: "  " },
      { resource: "assets", name: "x", filters: { "status;drop": "y" } },
    ]) {
      const answer = await createView(appRequest("/api/saved-views", { method: "POST", body: bad, headers: { cookie } }));
      expect(answer.status).toBe(422);
    }
    expect((await listViews(appRequest("/api/saved-views", { headers: { cookie } }))).status).toBe(422);
    expect(services.calls).toHaveLength(0);
  });

  it("replaces and deletes by id; a bad id is a 422 naming it, without a call, and another origin is refused", async () => {
    const services = fakeServices({
      [`PUT ${EMPLOYEE}/api/v1/saved-views/5`]: { json: view },
      [`DELETE ${EMPLOYEE}/api/v1/saved-views/5`]: { status: 204, text: "" },
    });
    vi.stubGlobal("fetch", services.fetch);
    const cookie = await sessionCookieHeader();
    const body = { resource: "assets", name: "Laptops in stock", filters: {}, sort: null, columns: null };
    expect((await putView(appRequest("/api/saved-views/5", { method: "PUT", body, headers: { cookie } }), routeParams("5"))).status).toBe(200);
    expect((await deleteView(appRequest("/api/saved-views/5", { method: "DELETE", headers: { cookie } }), routeParams("5"))).status).toBe(204);
    const bad = await deleteView(appRequest("/api/saved-views/x", { method: "DELETE", headers: { cookie } }), routeParams("x"));
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ code: "validation_error", detail: [{ loc: ["path", "id"], field: "id" }] });
    const foreign = await deleteView(
      appRequest("/api/saved-views/5", { method: "DELETE", headers: { cookie, origin: "https://evil.example" } }),
      routeParams("5"),
    );
    expect(foreign.status).toBe(403);
    expect(services.calls).toHaveLength(2);
  });
});
