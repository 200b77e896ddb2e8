import { Card } from "@repo/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Forbidden, ServiceErrorState } from "@/components/page-errors";
import { idSchema } from "@/lib/api/path";
import { canSee } from "@/lib/auth/roles";
import { requireSession, serviceContext } from "@/lib/auth/session";
import { formatDateTime } from "@/lib/format";
import { notificationService, type Notification } from "@/lib/services/notification";
import { NotificationStatusBadge } from "../status-badge";

export const metadata: Metadata = { title: "Notification" };

export default async function NotificationPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requireSession();
  if (!canSee(session.user.roles, "notifications")) return <Forbidden />;
  const id = idSchema.safeParse((await params).id);
  if (!id.success) notFound();
  let notification: Notification;
  try {
    notification = await notificationService.get(id.data, serviceContext(session));
  } catch (error) {
    return <ServiceErrorState error={error} title="The notification could not be loaded" />;
  }
  const link = "text-blue-800 underline-offset-2 hover:underline";
  return (
    <div className="flex max-w-3xl flex-col gap-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/notifications" className={link}>
          Notifications
        </Link>
      </nav>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">Notification #{notification.id}</h1>
        <NotificationStatusBadge status={notification.status} />
      </div>
      <Card title="Delivery">
        <dl className="grid grid-cols-[10rem_1fr] gap-x-3 gap-y-2 text-sm">
          <dt className="text-slate-600">Kind</dt>
          <dd>{notification.kind}</dd>
          <dt className="text-slate-600">Invoice</dt>
          <dd>
            <Link href={`/invoices/${notification.invoice_id}`} className={link}>
              Invoice #{notification.invoice_id}
            </Link>
          </dd>
          <dt className="text-slate-600">Recipient</dt>
          <dd>{notification.recipient ?? "No address"}</dd>
          <dt className="text-slate-600">Attempts</dt>
          <dd>{notification.attempts}</dd>
          <dt className="text-slate-600">Created</dt>
          <dd>{formatDateTime(notification.created_at)}</dd>
          <dt className="text-slate-600">Sent</dt>
          <dd>{formatDateTime(notification.sent_at)}</dd>
          {notification.status !== "sent" ? (
            <>
              <dt className="text-slate-600">Next attempt</dt>
              <dd>{formatDateTime(notification.next_attempt_at)}</dd>
            </>
          ) : null}
          {notification.last_error ? (
            <>
              <dt className="text-slate-600">Last error</dt>
              <dd className="text-red-800">{notification.last_error}</dd>
            </>
          ) : null}
        </dl>
      </Card>
      <Card title={notification.subject}>
        <pre className="font-sans text-sm whitespace-pre-wrap text-slate-800">{notification.body}</pre>
      </Card>
    </div>
  );
}
