import "server-only";
import type { components, operations } from "@repo/api-types/notification";
import { z } from "zod";
import { NOTIFICATION_STATUS_VALUES } from "../notifications-query";
import type { Conforms, Same } from "./contract";
import { callService, type Query, type ServiceContext } from "./http";
import { pageSchema, type Page } from "./page";

type Schemas = components["schemas"];

true satisfies Same<(typeof NOTIFICATION_STATUS_VALUES)[number], Schemas["NotificationStatus"]>;

export const notificationSchema = z.object({
  id: z.number().int(),
  event_id: z.string(),
  kind: z.string(),
  invoice_id: z.number().int(),
  recipient: z.string().nullable(),
  subject: z.string(),
  body: z.string(),
  status: z.enum(NOTIFICATION_STATUS_VALUES),
  attempts: z.number().int(),
  last_error: z.string().nullable(),
  next_attempt_at: z.string(),
  sent_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Notification = z.infer<typeof notificationSchema>;
// `kind` is parsed as any string so that a new kind does not break the list.
true satisfies Conforms<Omit<Notification, "kind">, Omit<Schemas["NotificationPublic"], "kind">>;

const notificationPageSchema = pageSchema(notificationSchema);

export type NotificationListQuery = NonNullable<
  operations["list_notifications_api_v1_notifications_get"]["parameters"]["query"]
>;

export const notificationService = {
  /** `GET /notifications?status=&invoice_id=`: the receipts sent (admin, accountant). */
  list(query: NotificationListQuery, context: ServiceContext): Promise<Page<Notification>> {
    return callService("notification", "/api/v1/notifications", context, {
      query: query as Query,
      schema: notificationPageSchema,
    });
  },

  /** `GET /notifications/{id}`. */
  get(id: number, context: ServiceContext) {
    return callService("notification", `/api/v1/notifications/${id}`, context, { schema: notificationSchema });
  },
};
