"use client";

import { Button, Dialog, Field, Notice, SelectField, TextAreaField } from "@repo/ui";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiSend, type FetchFailure } from "@/lib/client/api";
import {
  ATTENDANCE_STATUS_LABELS,
  ATTENDANCE_STATUS_VALUES,
  instantOf,
  type AttendanceStatus,
} from "@/lib/employees-query";

export interface DayRecord {
  date: string;
  status: AttendanceStatus;
  check_in_at: string | null;
  check_out_at: string | null;
  note: string | null;
}

/** "HH:MM" of an instant in the browser's zone, for a time input. */
function timeOf(instant: string | null): string {
  if (!instant) return "";
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return "";
  return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
}

/**
 * HR records or corrects one day of an employee (`PUT /attendance/{employee_id}/{day}`): an
 * absence, a leave, or the times. A button that opens the dialog, prefilled from `day` if given.
 */
export function RecordDay({
  employeeId,
  name,
  day,
  defaultDate,
  label,
}: {
  employeeId: number;
  name: string;
  day?: DayRecord;
  defaultDate: string;
  label: string;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<FetchFailure | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [date, setDate] = useState(day?.date ?? defaultDate);
  const [status, setStatus] = useState<AttendanceStatus>(day?.status ?? "present");
  const [checkIn, setCheckIn] = useState(timeOf(day?.check_in_at ?? null));
  const [checkOut, setCheckOut] = useState(timeOf(day?.check_out_at ?? null));
  const [note, setNote] = useState(day?.note ?? "");
  const worked = status === "present" || status === "remote";

  async function save() {
    setPending(true);
    setFailure(null);
    const result = await apiSend("PUT", `/api/attendance/${employeeId}/${date}`, {
      status,
      check_in_at: worked ? instantOf(date, checkIn) : null,
      check_out_at: worked ? instantOf(date, checkOut) : null,
      note: note.trim() === "" ? null : note.trim(),
    });
    setPending(false);
    if (!result.ok) {
      setFailure(result.failure);
      return;
    }
    setOpen(false);
    setDone(`${date} recorded for ${name}: ${ATTENDANCE_STATUS_LABELS[status].toLowerCase()}.`);
    router.refresh();
  }

  const errorOf = (field: string) => failure?.fieldErrors[field];
  const placed = failure ? Object.keys(failure.fieldErrors).some((f) => ["status", "check_in_at", "check_out_at", "note", "day"].includes(f)) : false;

  return (
    <>
      <Button
        size="sm"
        variant={day ? "ghost" : "secondary"}
        aria-label={day ? `Correct ${day.date}` : undefined}
        onClick={() => {
          setFailure(null);
          setDone(null);
          setOpen(true);
        }}
      >
        {label}
      </Button>
      {done ? (
        <span role="status" className="text-sm text-green-800">
          {done}
        </span>
      ) : null}
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title={day ? `Correct ${day.date}` : "Record a day"}
        description={`${name}'s attendance. Times are in your time zone.`}
        footer={
          <>
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" form={`record-day-${employeeId}-${day?.date ?? "new"}`} loading={pending}>
              Save
            </Button>
          </>
        }
      >
        <form
          id={`record-day-${employeeId}-${day?.date ?? "new"}`}
          className="grid gap-3 sm:grid-cols-2"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <Field
            label="Day"
            type="date"
            required
            value={date}
            readOnly={day !== undefined}
            error={errorOf("day")}
            onChange={(event) => setDate(event.target.value)}
          />
          <SelectField
            label="Status"
            value={status}
            error={errorOf("status")}
            onChange={(event) => setStatus(event.target.value as AttendanceStatus)}
          >
            {ATTENDANCE_STATUS_VALUES.map((value) => (
              <option key={value} value={value}>
                {ATTENDANCE_STATUS_LABELS[value]}
              </option>
            ))}
          </SelectField>
          {worked ? (
            <>
              <Field
                label="Checked in"
                type="time"
                value={checkIn}
                error={errorOf("check_in_at")}
                onChange={(event) => setCheckIn(event.target.value)}
              />
              <Field
                label="Checked out"
                type="time"
                value={checkOut}
                error={errorOf("check_out_at")}
                onChange={(event) => setCheckOut(event.target.value)}
              />
            </>
          ) : null}
          <TextAreaField
            label="Note"
            className="sm:col-span-2"
            maxLength={500}
            value={note}
            error={errorOf("note")}
            onChange={(event) => setNote(event.target.value)}
          />
        </form>
        {failure && !placed ? (
          <Notice tone="error">
            {failure.message}
            {failure.code ? <span className="block text-xs">Code: {failure.code}</span> : null}
          </Notice>
        ) : null}
      </Dialog>
    </>
  );
}
