import { z } from "zod";
import { idSchema } from "./api/path";

/**
 * The notifications list's filters, sort and page — the notification service's own parameters —
 * as `GET /api/notifications` takes them and as the /notifications page keeps them in its URL.
 * (Browser-safe; the BFF route imports it too.)
 */

export const NOTIFICATION_STATUS_VALUES = ["pending", "sending", "sent", "failed"] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUS_VALUES)[number];
export const NOTIFICATION_STATUS_LABELS: Record<NotificationStatus, string> = {
  pending: "Pending",
  sending: "Sending",
  sent: "Sent",
  failed: "Failed",
};
export const NOTIFICATION_SORT_VALUES = ["id", "created_at", "updated_at", "next_attempt_at"] as const;

export const notificationsQuerySchema = z.strictObject({
  status: z.enum(NOTIFICATION_STATUS_VALUES).optional(),
  invoice_id: idSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
  offset: z.coerce.number().int().min(0).max(2_147_483_647).default(0),
  cursor: z.string().max(500).optional(),
  sort: z
    .string()
    .refine(
      (value) => (NOTIFICATION_SORT_VALUES as readonly string[]).includes(value.replace(/^-/, "")),
      `Sort by one of: ${NOTIFICATION_SORT_VALUES.join(", ")} (prefix - for descending)`,
    )
    .optional(),
});
export type NotificationsQuery = z.output<typeof notificationsQuerySchema>;

export const notificationsViewSchema = notificationsQuerySchema.extend({ columns: z.string().max(500).optional() });
