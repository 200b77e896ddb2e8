import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { NextAuthOptions } from "next-auth";

/**
 * next-auth 4's request handler, the one its App Router route calls after reading the request's
 * cookies and headers through `next/headers` (which needs a running Next server). The package does
 * not export `./core`, so the tests load the file itself.
 */
export interface InternalCookie {
  name: string;
  value: string;
  options: Record<string, unknown>;
}

export interface InternalRequest {
  method: string;
  action: string;
  providerId?: string;
  cookies: Record<string, string>;
  headers: Record<string, string>;
  query: Record<string, string>;
  body?: Record<string, string>;
}

export interface InternalResponse {
  status?: number;
  body?: unknown;
  redirect?: string;
  cookies?: InternalCookie[];
}

const require = createRequire(import.meta.url);
const core = require(join(dirname(require.resolve("next-auth")), "core", "index.js")) as {
  AuthHandler: (params: { req: InternalRequest; options: NextAuthOptions }) => Promise<InternalResponse>;
};

export const AuthHandler = core.AuthHandler;
