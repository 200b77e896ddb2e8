import "server-only";
import type { NextRequest, NextResponse } from "next/server";
import type { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { errorAnswer } from "@/lib/api/respond";
import type { ServiceContext } from "@/lib/services/http";

/** The `[id]` (and `[logId]`) of an asset route: a positive whole number, else null. */
export function pathId(raw: string | undefined): number | null {
  if (!raw || !/^\d{1,10}$/.test(raw)) return null;
  const id = Number(raw);
  return id >= 1 && id <= 2_147_483_647 ? id : null;
}

type Params = Record<string, string>;

/**
 * An `apiRoute` under `/api/assets/[id]/…`: the same CSRF → session → zod steps, then the path's
 * ids checked (a malformed one is the service's 404) and handed to the handler.
 */
export function assetRoute<TQuery extends z.ZodType = z.ZodUndefined, TBody extends z.ZodType = z.ZodUndefined>(
  spec: { query?: TQuery; body?: TBody },
  handler: (args: {
    id: number;
    params: Params;
    context: ServiceContext;
    query: z.output<TQuery>;
    body: z.output<TBody>;
  }) => Promise<NextResponse>,
) {
  return async (request: NextRequest, { params }: { params: Promise<Params> }): Promise<NextResponse> => {
    const raw = await params;
    return apiRoute(spec, async ({ context, query, body }) => {
      const id = pathId(raw.id);
      const otherIds = Object.entries(raw).filter(([key]) => key !== "id");
      if (id === null || otherIds.some(([, value]) => pathId(value) === null)) {
        return errorAnswer(404, { detail: "No such asset", code: "not_found" });
      }
      return handler({ id, params: raw, context, query, body });
    })(request);
  };
}
