import { notificationsQuerySchema } from "@/lib/notifications-query";
import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { notificationService } from "@/lib/services/notification";

/** `GET /api/notifications?status=&invoice_id=&sort=&limit=&offset=`: the receipts sent. */
export const GET = apiRoute({ query: notificationsQuerySchema }, async ({ query, context }) =>
  json(await notificationService.list(query, context)),
);
