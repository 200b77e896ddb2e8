import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { savedViewService, VIEW_RESOURCES, viewInputSchema } from "@/lib/services/saved-views";

/** `GET /api/saved-views?resource=assets`: the signed-in user's saved views of one list. */
export const GET = apiRoute(
  { query: z.strictObject({ resource: z.enum(VIEW_RESOURCES) }) },
  async ({ query, context }) => json(await savedViewService.list(query.resource, context)),
);

/** `POST /api/saved-views`: saves the current filters, sort and columns under a name (409 on a taken name). */
export const POST = apiRoute({ body: viewInputSchema }, async ({ body, context }) =>
  json(await savedViewService.create(body, context), 201),
);
