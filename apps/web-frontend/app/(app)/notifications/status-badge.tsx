import { Badge, type BadgeTone } from "@repo/ui";
import { NOTIFICATION_STATUS_LABELS, type NotificationStatus } from "@/lib/notifications-query";

const TONES: Record<NotificationStatus, BadgeTone> = {
  pending: "info",
  sending: "warning",
  sent: "success",
  failed: "danger",
};

export function NotificationStatusBadge({ status }: { status: NotificationStatus }) {
  return <Badge tone={TONES[status]}>{NOTIFICATION_STATUS_LABELS[status]}</Badge>;
}
