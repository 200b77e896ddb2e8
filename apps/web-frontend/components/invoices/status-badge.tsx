import { Badge, type BadgeTone } from "@repo/ui";
import { INVOICE_STATUS_LABELS, type InvoiceStatus } from "@/lib/invoices-query";

const TONES: Record<InvoiceStatus, BadgeTone> = {
  draft: "neutral",
  issued: "info",
  partially_paid: "warning",
  paid: "success",
  void: "neutral",
};

/** The invoice's status, and "Overdue" beside it when it is (the text carries the meaning). */
export function InvoiceStatusBadge({ status, overdue }: { status: InvoiceStatus; overdue: boolean }) {
  return (
    <span className="inline-flex flex-wrap gap-1">
      <Badge tone={TONES[status]}>{INVOICE_STATUS_LABELS[status]}</Badge>
      {overdue ? <Badge tone="danger">Overdue</Badge> : null}
    </span>
  );
}
