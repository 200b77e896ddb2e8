import { describe, expect, it } from "vitest";
import { assetService } from "@/lib/services/asset";
import { employeeService } from "@/lib/services/employee";
import { callService } from "@/lib/services/http";
import {
  ServiceContractError,
  ServiceHttpError,
  ServiceUnavailableError,
  toErrorAnswer,
} from "@/lib/services/errors";
import { ASSET, EMPLOYEE, asset, fakeServices, page } from "./support/fake-services";

describe("the typed service clients", () => {
  it("forward the user's token and parse the answer with zod, dropping fields we do not use", async () => {
    const services = fakeServices({ [`GET ${ASSET}/api/v1/assets`]: { json: page([asset()]) } });
    const answer = await assetService.list({ limit: 1 }, { token: "t0k3n", fetch: services.fetch });
    expect(services.calls[0]?.headers.get("authorization")).toBe("Bearer t0k3n");
    expect(answer.items[0]).not.toHaveProperty("created_by");
    expect(answer.items[0]).toHaveProperty("asset_tag");
  });

  it("pass a 4xx through with the service's own {detail, code}", async () => {
    const services = fakeServices({
      [`POST ${EMPLOYEE}/api/v1/auth/login`]: {
        status: 401,
        json: { detail: "Invalid email or password", code: "invalid_credentials" },
      },
    });
    const error = await employeeService
      .login({ email: "a@b.c", password: "x" }, { fetch: services.fetch })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceHttpError);
    expect(toErrorAnswer(error as ServiceHttpError)).toEqual({
      status: 401,
      body: { detail: "Invalid email or password", code: "invalid_credentials" },
    });
    expect(services.calls[0]?.headers.get("authorization")).toBeNull();
    expect(JSON.parse(services.calls[0]?.body ?? "{}")).toEqual({ email: "a@b.c", password: "x" });
  });

  it("keep a 4xx that is not in the error shape, under a code of its own", async () => {
    const services = fakeServices({ [`GET ${ASSET}/api/v1/assets`]: { status: 404, text: "Not Found" } });
    await expect(assetService.list({}, { token: "t", fetch: services.fetch })).rejects.toMatchObject({
      status: 404,
      body: { detail: "Not Found", code: "upstream_error" },
    });
  });

  it("turn no answer, a timeout or a 5xx into a typed 'unavailable' error (503 for the browser)", async () => {
    for (const answer of [{ networkError: "ECONNREFUSED" }, { status: 500, text: "boom" }, { status: 503, json: {} }]) {
      const services = fakeServices({ [`GET ${ASSET}/api/v1/assets`]: answer });
      const error = await assetService.list({}, { token: "t", fetch: services.fetch }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(toErrorAnswer(error as ServiceUnavailableError)).toMatchObject({
        status: 503,
        body: { code: "service_unavailable" },
      });
    }
  });

  it("refuse a 2xx outside the contract (502 for the browser)", async () => {
    const services = fakeServices({
      [`GET ${ASSET}/api/v1/assets`]: { json: page([{ ...asset(), status: "lost" }]) },
    });
    const error = await assetService.list({}, { token: "t", fetch: services.fetch }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceContractError);
    expect(toErrorAnswer(error as ServiceContractError).status).toBe(502);
  });

  it("send the ids of a batch look-up comma-separated and refuse more than 500", async () => {
    const services = fakeServices({ [`GET ${EMPLOYEE}/api/v1/employees`]: { json: page([]) } });
    await employeeService.byIds([1, 2, 5], { token: "t", fetch: services.fetch });
    expect(services.calls[0]?.url.search).toBe("?ids=1%2C2%2C5");
    await expect(
      employeeService.byIds(Array.from({ length: 501 }, (_, i) => i + 1), { token: "t", fetch: services.fetch }),
    ).rejects.toBeInstanceOf(RangeError);
  });

  it("send a caller's headers after the defaults, never letting them replace the user's token", async () => {
    const services = fakeServices({ [`POST ${ASSET}/api/v1/assets`]: { status: 204 } });
    await callService("asset", "/api/v1/assets", { token: "t0k3n", fetch: services.fetch }, {
      method: "POST",
      body: { name: "x" },
      headers: { "Idempotency-Key": "pay-42", Authorization: "Bearer someone-else", authorization: "Bearer stolen" },
      schema: null,
    });
    const [call] = services.calls;
    expect(call?.headers.get("idempotency-key")).toBe("pay-42");
    expect(call?.headers.get("authorization")).toBe("Bearer t0k3n");
    expect(call?.headers.get("content-type")).toBe("application/json");
    expect(call?.headers.get("accept")).toBe("application/json");

    // Merged after the defaults (a caller's Accept wins); without a token none is sent at all.
    await callService("asset", "/api/v1/assets", { fetch: services.fetch }, {
      method: "POST",
      headers: { Accept: "text/csv", authorization: "Bearer forged" },
      schema: null,
    });
    expect(services.calls[1]?.headers.get("accept")).toBe("text/csv");
    expect(services.calls[1]?.headers.get("authorization")).toBeNull();
  });
});
