import { Badge, type BadgeTone } from "@repo/ui";
import { STATUS_LABELS, type ASSET_STATUS_VALUES } from "@/lib/assets-query";

type Status = (typeof ASSET_STATUS_VALUES)[number];

export const STATUS_TONES: Record<Status, BadgeTone> = {
  in_stock: "info",
  assigned: "success",
  in_maintenance: "warning",
  retired: "neutral",
  disposed: "danger",
};

/** An asset's status as a badge: the words carry the meaning, the colour repeats it. */
export function StatusBadge({ status }: { status: Status }) {
  return <Badge tone={STATUS_TONES[status]} className="whitespace-nowrap">{STATUS_LABELS[status]}</Badge>;
}
