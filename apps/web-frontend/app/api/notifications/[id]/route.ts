import { routeWithIds } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { notificationService } from "@/lib/services/notification";

/** `GET /api/notifications/{id}`: one notification, what it says and how sending it went. */
export const GET = routeWithIds({ ids: ["id"] }, async ({ ids: { id }, context }) =>
  json(await notificationService.get(id, context)),
);
