import { routeWithIds } from "@/lib/api/handler";
import { json, noContent } from "@/lib/api/respond";
import { savedViewService, viewInputSchema } from "@/lib/services/saved-views";

/** `PUT /api/saved-views/{id}`: renames or overwrites one of the user's views. */
export const PUT = routeWithIds({ ids: ["id"], body: viewInputSchema }, async ({ ids: { id }, body, context }) =>
  json(await savedViewService.replace(id, body, context)),
);

/** `DELETE /api/saved-views/{id}`: removes one of the user's views. */
export const DELETE = routeWithIds({ ids: ["id"] }, async ({ ids: { id }, context }) => {
  await savedViewService.remove(id, context);
  return noContent();
});
