import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { searchEverything } from "@/lib/compose/search";

const searchQuery = z.strictObject({
  q: z.string().trim().min(1, "Type something to search for").max(100),
});

/**
 * `GET /api/search?q=`: the command palette's search across assets, invoices, customers and
 * employees (those the user may read), a few hits each; `partial` when a service is down.
 */
export const GET = apiRoute({ query: searchQuery }, async ({ query, session, context }) =>
  json(await searchEverything(query.q, session.user.roles, context)),
);
