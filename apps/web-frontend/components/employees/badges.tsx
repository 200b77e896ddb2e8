import { Badge, type BadgeTone } from "@repo/ui";
import {
  ATTENDANCE_STATUS_LABELS,
  EMPLOYEE_STATUS_LABELS,
  roleLabel,
  type AttendanceStatus,
  type EmployeeStatus,
} from "@/lib/employees-query";

const STATUS_TONES: Record<EmployeeStatus, BadgeTone> = {
  active: "success",
  on_leave: "warning",
  terminated: "neutral",
};

export function EmployeeStatusBadge({ status }: { status: EmployeeStatus }) {
  return <Badge tone={STATUS_TONES[status]}>{EMPLOYEE_STATUS_LABELS[status]}</Badge>;
}

const ATTENDANCE_TONES: Record<AttendanceStatus, BadgeTone> = {
  present: "success",
  remote: "info",
  leave: "warning",
  absent: "danger",
};

export function AttendanceStatusBadge({ status }: { status: AttendanceStatus }) {
  return <Badge tone={ATTENDANCE_TONES[status]}>{ATTENDANCE_STATUS_LABELS[status]}</Badge>;
}

export function RoleBadges({ roles }: { roles: readonly string[] }) {
  if (roles.length === 0) return <span className="text-slate-600">None</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {roles.map((role) => (
        <Badge key={role}>{roleLabel(role)}</Badge>
      ))}
    </span>
  );
}
