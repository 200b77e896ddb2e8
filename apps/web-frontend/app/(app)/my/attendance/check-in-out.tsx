"use client";

import { Button, Card } from "@repo/ui";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiSend } from "@/lib/client/api";
import { formatDateTime } from "@/lib/format";

interface Day {
  date: string;
  check_in_at: string | null;
  check_out_at: string | null;
}

type Message = { tone: "ok" | "error"; text: string };

/** Check in and out for today through the BFF (same-origin POSTs: the CSRF check passes). */
export function CheckInOut() {
  const router = useRouter();
  const [pending, setPending] = useState<"in" | "out" | null>(null);
  const [message, setMessage] = useState<Message | null>(null);
  const [day, setDay] = useState<Day | null>(null);

  async function send(which: "in" | "out") {
    setPending(which);
    setMessage(null);
    const result = await apiSend<Day>("POST", `/api/attendance/check-${which}`);
    setPending(null);
    if (!result.ok) {
      setMessage({ tone: "error", text: result.failure.message });
      return;
    }
    setDay(result.value);
    setMessage({ tone: "ok", text: which === "in" ? "Checked in." : "Checked out." });
    // The month below shows the day too.
    router.refresh();
  }

  return (
    <Card title="Today">
      <div className="flex gap-3">
        <Button onClick={() => send("in")} loading={pending === "in"} disabled={pending !== null}>
          Check in
        </Button>
        <Button variant="secondary" onClick={() => send("out")} loading={pending === "out"} disabled={pending !== null}>
          Check out
        </Button>
      </div>
      <div aria-live="polite" className="mt-3 text-sm">
        {message ? (
          <p className={message.tone === "ok" ? "text-green-800" : "text-red-800"} role={message.tone === "error" ? "alert" : undefined}>
            {message.text}
          </p>
        ) : null}
        {day ? (
          <p className="text-slate-700">
            {day.date}: in {formatDateTime(day.check_in_at)}, out {formatDateTime(day.check_out_at)}
          </p>
        ) : null}
      </div>
    </Card>
  );
}
