import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { createClient } from "@redis/client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AnswerKeeper, type KeeperOptions } from "@/lib/compose/kept";

/**
 * lib/compose/kept.ts against a real Redis (TEST_REDIS_URL, else the machine's on 6379): the
 * generations and token versions are written here as the services write them.
 */
const REDIS_URL = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379/0";
const prefix = `test-bff-${randomBytes(6).toString("hex")}`;
const redis = createClient({ url: REDIS_URL });

function token(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "HS256" })}.${part({ sub: "7", ...claims })}.signature`;
}

function keeper(options: Partial<KeeperOptions> = {}): AnswerKeeper {
  return new AnswerKeeper({
    redisUrl: REDIS_URL,
    generationPrefix: `${prefix}:generation`,
    tokenVersionPrefix: `${prefix}:token-version`,
    maxEntries: 100,
    maxBytes: 1024 * 1024,
    ttlMs: 60_000,
    backoffMs: 5_000,
    timeoutMs: 500,
    ...options,
  });
}

function request(headers: Record<string, string> = {}): Request {
  return new Request("http://localhost:3000/api/assets?limit=20", { headers });
}

/** A page composer that counts its calls and answers a new body each time. */
function composer(partial = false) {
  const calls = { count: 0 };
  return {
    calls,
    compose: () => {
      calls.count += 1;
      return Promise.resolve({ items: [{ id: calls.count }], partial });
    },
  };
}

async function ask(
  on: AnswerKeeper,
  page: ReturnType<typeof composer>,
  options: { token?: string; query?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await on.answer({
    request: request(options.headers),
    context: { token: options.token ?? alice },
    route: "GET /api/assets",
    query: options.query ?? { limit: 20 },
    depends: ["assets", "employees"],
    compose: page.compose,
    keep: (answer) => !answer.partial,
  });
  return { cache: response.headers.get("x-cache"), body: (await response.json()) as unknown };
}

const alice = token({ employee_id: 11, ver: 2 });
const bob = token({ employee_id: 12, ver: 0 });

beforeAll(async () => {
  await redis.connect();
});

beforeEach(async () => {
  await redis.mSet({
    [`${prefix}:generation:assets`]: "a1",
    [`${prefix}:generation:employees`]: "e1",
    [`${prefix}:token-version:11`]: "2",
    [`${prefix}:token-version:12`]: "0",
  });
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(keys);
  await redis.close();
});

describe("AnswerKeeper", () => {
  it("answers again from memory while every generation holds, and composes after a change", async () => {
    const on = keeper();
    const page = composer();
    expect(await ask(on, page)).toEqual({ cache: "miss", body: { items: [{ id: 1 }], partial: false } });
    expect(await ask(on, page)).toEqual({ cache: "hit", body: { items: [{ id: 1 }], partial: false } });
    expect(page.calls.count).toBe(1);

    await redis.set(`${prefix}:generation:employees`, "e2"); // a name changed
    expect(await ask(on, page)).toEqual({ cache: "miss", body: { items: [{ id: 2 }], partial: false } });
    await redis.set(`${prefix}:generation:assets`, "a2"); // an asset changed
    expect((await ask(on, page)).body).toEqual({ items: [{ id: 3 }], partial: false });
    expect((await ask(on, page)).cache).toBe("hit");
    expect(on.stats).toMatchObject({ hits: 2, misses: 3, kept: 3, redisErrors: 0 });
    await on.close();
  });

  it("keeps each user's and each query's answer apart", async () => {
    const on = keeper();
    const page = composer();
    await ask(on, page);
    expect((await ask(on, page, { token: bob })).cache).toBe("miss");
    expect((await ask(on, page, { query: { limit: 20, status: "in_stock" } })).cache).toBe("miss");
    expect((await ask(on, page, { token: bob })).body).toEqual({ items: [{ id: 2 }], partial: false });
    expect(page.calls.count).toBe(3);
    await on.close();
  });

  it("goes to the services for a revoked token, and for one whose version Redis does not know", async () => {
    const on = keeper();
    const page = composer();
    await ask(on, page);
    await redis.set(`${prefix}:token-version:11`, "3"); // roles changed: alice's token is revoked
    expect((await ask(on, page)).cache).toBe("miss");
    expect((await ask(on, page)).cache).toBe("miss");
    await redis.del(`${prefix}:token-version:11`);
    expect((await ask(on, page)).cache).toBe("miss");
    expect(page.calls.count).toBe(4);
    await on.close();
  });

  it("keeps nothing without a generation, for a partial answer, or when asked for no-cache", async () => {
    const on = keeper();
    await redis.del(`${prefix}:generation:assets`); // the asset service keeps none (a replica)
    const page = composer();
    await ask(on, page);
    expect((await ask(on, page)).cache).toBe("miss");
    await redis.set(`${prefix}:generation:assets`, "a1");

    const partial = composer(true);
    await ask(on, partial);
    expect((await ask(on, partial)).cache).toBe("miss");

    const whole = composer();
    await ask(on, whole);
    expect((await ask(on, whole, { headers: { "cache-control": "no-cache" } })).cache).toBe("miss");
    expect((await ask(on, whole)).body).toEqual({ items: [{ id: 2 }], partial: false }); // the fresh one was kept
    expect(on.stats.kept).toBe(2);
    await on.close();
  });

  it("forgets an answer after its time, and the least recently used past its bounds", async () => {
    const brief = keeper({ ttlMs: 30 });
    const page = composer();
    await ask(brief, page);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await ask(brief, page)).cache).toBe("miss");
    await brief.close();

    const small = keeper({ maxEntries: 2 });
    const other = composer();
    await ask(small, other, { query: { n: 1 } });
    await ask(small, other, { query: { n: 2 } });
    expect((await ask(small, other, { query: { n: 1 } })).cache).toBe("hit"); // n: 2 is now the oldest
    await ask(small, other, { query: { n: 3 } });
    expect(small.size).toBe(2);
    expect((await ask(small, other, { query: { n: 1 } })).cache).toBe("hit");
    expect((await ask(small, other, { query: { n: 2 } })).cache).toBe("miss");
    await small.close();
  });

  it("composes every answer while Redis is out of reach, and tries it again only after the back-off", async () => {
    const dead = keeper({ redisUrl: "redis://127.0.0.1:1/0", backoffMs: 60_000 });
    const page = composer();
    expect((await ask(dead, page)).cache).toBe("miss");
    expect((await ask(dead, page)).cache).toBe("miss");
    expect(page.calls.count).toBe(2);
    expect(dead.stats.redisErrors).toBe(1); // left alone after the first failure
    await dead.close();

    const unset = keeper({ redisUrl: null });
    await ask(unset, page);
    expect((await ask(unset, page)).cache).toBe("miss");
    expect(unset.stats.kept).toBe(0);
  });
});

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** This test's own redis-server on `port` (the machine's `redis-server`), ready to answer. */
async function ownRedis(port: number): Promise<ChildProcess> {
  const server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const probe = createClient({ url: `redis://127.0.0.1:${port}/0`, socket: { reconnectStrategy: false } });
    probe.on("error", () => undefined);
    try {
      await probe.connect();
      await probe.close();
      return server;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  server.kill("SIGKILL");
  throw new Error(`redis-server did not start on ${port}`);
}

async function stop(server: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGKILL");
  await exited;
}

describe("AnswerKeeper when its Redis dies and comes back", () => {
  it("composes every answer while Redis is gone, and keeps them again once it is back", async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}/0`;
    const setUp = async (assets: string) => {
      const client = createClient({ url });
      await client.connect();
      await client.mSet({
        [`${prefix}:generation:assets`]: assets,
        [`${prefix}:generation:employees`]: "e1",
        [`${prefix}:token-version:11`]: "2",
      });
      await client.close();
    };
    let server = await ownRedis(port);
    const on = keeper({ redisUrl: url, backoffMs: 100 });
    const page = composer();
    try {
      await setUp("a1");
      expect((await ask(on, page)).cache).toBe("miss");
      expect((await ask(on, page)).cache).toBe("hit");

      await stop(server);
      expect((await ask(on, page)).cache).toBe("miss"); // composed, not a 500
      expect((await ask(on, page)).cache).toBe("miss"); // left alone during the back-off
      expect(on.stats.redisErrors).toBe(1);

      server = await ownRedis(port); // a new, empty Redis: the services start new generations
      await setUp("a2");
      await new Promise((resolve) => setTimeout(resolve, 150)); // past the back-off
      expect((await ask(on, page)).cache).toBe("miss");
      expect((await ask(on, page)).cache).toBe("hit");
      expect(page.calls.count).toBe(4);
    } finally {
      await on.close();
      await stop(server);
    }
  });
});
