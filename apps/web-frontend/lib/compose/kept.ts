import "server-only";
import { createHash } from "node:crypto";
import { createClient } from "@redis/client";
import { NextResponse } from "next/server";
import type { ServiceContext } from "../services/http";

/**
 * Composed answers kept in this process while the data they were composed from is unchanged.
 *
 * A composed list (assets with their owners' names) costs the BFF two service calls, their
 * validation and a merge; the same user asks the same page again and again between two changes.
 * The services keep a *generation* per kind of data in Redis (tb_platform.page_cache.Generation:
 * `tb:generation:assets`, `tb:generation:employees`), a token they replace after every committed
 * change and before the change is answered. An answer is kept with the tokens read *before* it
 * was composed, and served again only while every token is still the same — one Redis MGET instead
 * of the service calls. So a change is never hidden: whoever saw a write succeed reads after it.
 *
 * An answer is one user's: it is kept under a hash of their service token (with the route, its
 * validated query and the UTC day), and served only while that token still holds. The session's
 * expiry is checked before (apiRoute); here the token's version (`ver`) is compared with the
 * employee's current one in Redis (`tb:token-version:<id>`, what every service checks): a revoked
 * token, or one whose version Redis does not know, always goes to the services, which decide.
 *
 * Nothing is kept, and every answer is composed, when REDIS_URL is unset, Redis does not answer
 * (then it is left alone for a few seconds), a generation is missing (its service keeps none, as
 * the asset service with a read replica) or the request says `Cache-Control: no-cache`. Kept
 * answers also expire after `ttlMs` (what a write the services did not see leaves stale: the
 * services' own cache TTL) and are bounded in number and bytes (least recently used go first).
 */

export interface KeeperOptions {
  /** Redis, where the generations and token versions are; null keeps nothing. */
  redisUrl: string | null;
  /** `GENERATION_PREFIX`, as the services'. */
  generationPrefix: string;
  /** `TOKEN_VERSION_PREFIX`, as the services'. */
  tokenVersionPrefix: string;
  maxEntries: number;
  maxBytes: number;
  ttlMs: number;
  /** How long a failed Redis is left alone. */
  backoffMs: number;
  /** The longest a Redis read may take before the answer is composed instead. */
  timeoutMs: number;
}

interface Kept {
  generations: string[];
  body: string;
  until: number;
}

/** What `answer` did: served a kept answer (`hit`), or composed it (`miss`), and whether it kept it. */
export interface KeeperStats {
  hits: number;
  misses: number;
  kept: number;
  redisErrors: number;
}

/** The claims of a service token that say whose it is and its version (no check: the services do). */
function tokenClaims(token: string): { employeeId: number | null; version: number } | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    const employeeId = claims.employee_id;
    const version = claims.ver;
    return {
      employeeId: typeof employeeId === "number" ? employeeId : null,
      version: typeof version === "number" ? version : 0,
    };
  } catch {
    return null;
  }
}

type Client = ReturnType<typeof createClient>;

export class AnswerKeeper {
  readonly stats: KeeperStats = { hits: 0, misses: 0, kept: 0, redisErrors: 0 };
  private readonly answers = new Map<string, Kept>();
  private bytes = 0;
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private skipUntil = 0;

  constructor(readonly options: KeeperOptions) {}

  /**
   * The answer of `compose()`, or the one kept for the same user, route and query while the
   * generations of `depends` hold. `keep` says whether a composed answer may be kept (a partial
   * one, composed while a service was down, is not).
   */
  async answer<T>(spec: {
    request: Request;
    context: ServiceContext;
    route: string;
    query: unknown;
    depends: readonly string[];
    compose: () => Promise<T>;
    keep: (answer: T) => boolean;
  }): Promise<NextResponse> {
    const token = spec.context.token;
    const fresh = (spec.request.headers.get("cache-control") ?? "").toLowerCase().includes("no-cache");
    const claims = token ? tokenClaims(token) : null;
    const generations = token && claims ? await this.generations(spec.depends, claims) : null;
    // Hashed only when an answer may be served or kept (then there is a token).
    const key =
      generations && token
        ? createHash("sha256")
            .update(`${token}\n${spec.route}\n${JSON.stringify(spec.query)}\n${new Date().toISOString().slice(0, 10)}`)
            .digest("base64url")
        : null;
    if (key && generations && !fresh) {
      const kept = this.answers.get(key);
      if (kept && Date.now() < kept.until && sameTokens(kept.generations, generations)) {
        this.answers.delete(key); // most recently used last
        this.answers.set(key, kept);
        this.stats.hits += 1;
        return respond(kept.body, "hit");
      }
    }
    this.stats.misses += 1;
    const answer = await spec.compose();
    const body = JSON.stringify(answer);
    if (key && generations && spec.keep(answer)) {
      this.store(key, { generations, body, until: Date.now() + this.options.ttlMs });
    }
    return respond(body, "miss");
  }

  get size(): number {
    return this.answers.size;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.connecting = null;
    if (!client) return;
    try {
      await client.close();
    } catch {
      // Already closed by the failure that brought us here: nothing more to release.
    }
  }

  private store(key: string, kept: Kept): void {
    const size = bytesOf(key, kept);
    if (size > this.options.maxBytes) return;
    const old = this.answers.get(key);
    if (old) {
      this.answers.delete(key);
      this.bytes -= bytesOf(key, old);
    }
    this.answers.set(key, kept);
    this.bytes += size;
    this.stats.kept += 1;
    for (const [oldest, entry] of this.answers) {
      if (this.answers.size <= this.options.maxEntries && this.bytes <= this.options.maxBytes) break;
      this.answers.delete(oldest);
      this.bytes -= bytesOf(oldest, entry);
    }
  }

  /**
   * The current tokens of `depends`, or null when an answer may not be served or kept: Redis
   * unset or failing, a generation missing, or the token's version not the employee's current.
   */
  private async generations(
    depends: readonly string[],
    claims: { employeeId: number | null; version: number },
  ): Promise<string[] | null> {
    if (!this.options.redisUrl || Date.now() < this.skipUntil) return null;
    const keys = depends.map((name) => `${this.options.generationPrefix}:${name}`);
    if (claims.employeeId !== null) keys.push(`${this.options.tokenVersionPrefix}:${claims.employeeId}`);
    let values: (string | null)[];
    try {
      const client = await this.connected();
      values = await withTimeout(client.mGet(keys), this.options.timeoutMs);
    } catch {
      this.stats.redisErrors += 1;
      this.skipUntil = Date.now() + this.options.backoffMs;
      await this.close();
      return null;
    }
    const generations = values.slice(0, depends.length);
    if (generations.some((value) => value === null)) return null;
    if (claims.employeeId !== null) {
      const current = Number(values[depends.length]);
      if (values[depends.length] === null || !Number.isFinite(current) || claims.version < current) return null;
    }
    return generations as string[];
  }

  private async connected(): Promise<Client> {
    if (this.client?.isReady) return this.client;
    if (!this.connecting) {
      const client = createClient({
        url: this.options.redisUrl ?? undefined,
        // Fail at once while disconnected (the answer is then composed), and do not retry by
        // itself: the next request after the back-off connects again.
        disableOfflineQueue: true,
        socket: { connectTimeout: this.options.timeoutMs, reconnectStrategy: false },
      });
      client.on("error", () => {
        // Reported by the failing command; without a listener an error would end the process.
      });
      this.connecting = client.connect().then(
        (ready) => {
          this.client = ready as Client;
          return this.client;
        },
        (error: unknown) => {
          this.connecting = null;
          throw error;
        },
      );
    }
    return this.connecting;
  }
}

/** What a kept answer holds in memory (strings are UTF-16). */
function bytesOf(key: string, kept: Kept): number {
  return (kept.body.length + key.length) * 2;
}

function sameTokens(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function respond(body: string, outcome: "hit" | "miss"): NextResponse {
  return new NextResponse(body, {
    status: 200,
    headers: { "content-type": "application/json", "cache-control": "no-store", "x-cache": outcome },
  });
}

function setting(name: string): string | null {
  const value = process.env[name];
  return value && value.trim() !== "" ? value.trim() : null;
}

let shared: AnswerKeeper | null = null;

/** The process's keeper, from REDIS_URL, GENERATION_PREFIX and TOKEN_VERSION_PREFIX. */
export function answerKeeper(): AnswerKeeper {
  shared ??= new AnswerKeeper({
    redisUrl: setting("REDIS_URL"),
    generationPrefix: setting("GENERATION_PREFIX") ?? "tb:generation",
    tokenVersionPrefix: setting("TOKEN_VERSION_PREFIX") ?? "tb:token-version",
    maxEntries: 2000,
    maxBytes: 32 * 1024 * 1024,
    ttlMs: 60_000,
    backoffMs: 5_000,
    timeoutMs: 250,
  });
  return shared;
}
