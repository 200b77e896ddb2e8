"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Button, Card, Field, Notice, SelectField } from "@repo/ui";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { apiSend, type FetchFailure } from "@/lib/client/api";
import {
  EMPLOYEE_STATUS_LABELS,
  employeeFormSchema,
  roleLabel,
  toCreateBody,
  toUpdateBody,
  type EmployeeFormValues,
} from "@/lib/employees-query";
// Types only: erased from the browser bundle.
import type { EmployeeRecord, RoleInfo } from "@/lib/services/employee";

export interface Option {
  id: number;
  name: string;
}

interface Props {
  /** The employee being edited; absent when hiring. */
  employee?: EmployeeRecord;
  departments: Option[];
  /** Who may be a manager (active employees). */
  managers: Option[];
  /** The roles a new employee can be given (edit changes roles on the detail page). */
  roles: RoleInfo[];
}

const FIELDS = [
  "first_name",
  "last_name",
  "email",
  "phone",
  "job_title",
  "department_id",
  "manager_id",
  "hire_date",
  "status",
  "password",
  "roles",
] as const;
type FieldName = (typeof FIELDS)[number];

function defaults(employee: EmployeeRecord | undefined): EmployeeFormValues {
  return {
    first_name: employee?.first_name ?? "",
    last_name: employee?.last_name ?? "",
    email: employee?.email ?? "",
    phone: employee?.phone ?? "",
    job_title: employee?.job_title ?? "",
    department_id: employee?.department_id ? String(employee.department_id) : "",
    manager_id: employee?.manager_id ? String(employee.manager_id) : "",
    hire_date: employee?.hire_date ?? "",
    status: employee?.status ?? "active",
    password: "",
    remove_login: false,
    roles: employee ? employee.roles : ["employee"],
  };
}

/**
 * Hire or change an employee: the service's fields, checked here first (zod) and then by the
 * service, whose 422 messages land on the fields and whose 409/403 (email taken, admin-only
 * changes, terminated) show above the buttons.
 */
export function EmployeeForm({ employee, departments, managers, roles }: Props) {
  const router = useRouter();
  const editing = employee !== undefined;
  const [failure, setFailure] = useState<FetchFailure | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting, dirtyFields },
  } = useForm<EmployeeFormValues>({
    resolver: zodResolver(employeeFormSchema),
    defaultValues: defaults(employee),
  });

  async function onSubmit(values: EmployeeFormValues) {
    setFailure(null);
    const result = editing
      ? await apiSend<EmployeeRecord>("PATCH", `/api/employees/${employee.id}`, toUpdateBody(values, dirtyFields))
      : await apiSend<EmployeeRecord>("POST", "/api/employees", toCreateBody(values));
    if (result.ok) {
      router.push(`/employees/${result.value.id}?saved=${editing ? "updated" : "created"}`);
      router.refresh();
      return;
    }
    const { fieldErrors, code } = result.failure;
    let placed = false;
    for (const [name, message] of Object.entries(fieldErrors)) {
      const field = name.split(".")[0] as FieldName;
      if ((FIELDS as readonly string[]).includes(field)) {
        setError(field, { type: "server", message }, { shouldFocus: !placed });
        placed = true;
      }
    }
    if (code === "email_taken") {
      setError("email", { type: "server", message: result.failure.message }, { shouldFocus: !placed });
      placed = true;
    }
    if (!placed) setFailure(result.failure);
  }

  const managerOptions = managers.filter((option) => option.id !== employee?.id);

  return (
    <form onSubmit={handleSubmit(onSubmit)} noValidate className="flex max-w-3xl flex-col gap-4">
      <Card title="Person">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="First name" autoComplete="off" required error={errors.first_name?.message} {...register("first_name")} />
          <Field label="Last name" autoComplete="off" required error={errors.last_name?.message} {...register("last_name")} />
          <Field label="Email" type="email" autoComplete="off" required error={errors.email?.message} {...register("email")} />
          <Field label="Phone" type="tel" autoComplete="off" error={errors.phone?.message} {...register("phone")} />
        </div>
      </Card>
      <Card title="Employment">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Job title" error={errors.job_title?.message} {...register("job_title")} />
          <SelectField label="Department" error={errors.department_id?.message} {...register("department_id")}>
            <option value="">No department</option>
            {departments.map((department) => (
              <option key={department.id} value={department.id}>
                {department.name}
              </option>
            ))}
          </SelectField>
          <SelectField label="Manager" error={errors.manager_id?.message} {...register("manager_id")}>
            <option value="">No manager</option>
            {managerOptions.map((manager) => (
              <option key={manager.id} value={manager.id}>
                {manager.name}
              </option>
            ))}
          </SelectField>
          <Field
            label="Hire date"
            type="date"
            hint={editing ? undefined : "Empty: today"}
            error={errors.hire_date?.message}
            {...register("hire_date")}
          />
          {employee?.status === "terminated" ? (
            <p className="text-sm text-slate-700 sm:col-span-2">
              This employee is terminated: reactivate them from their page.
            </p>
          ) : (
            <SelectField label="Status" error={errors.status?.message} {...register("status")}>
              <option value="active">{EMPLOYEE_STATUS_LABELS.active}</option>
              <option value="on_leave">{EMPLOYEE_STATUS_LABELS.on_leave}</option>
            </SelectField>
          )}
        </div>
      </Card>
      <Card
        title="Login"
        description={
          editing
            ? employee.has_login
              ? "They can sign in. Set a new password, or remove the login."
              : "They cannot sign in. Set a password to give them a login."
            : "Optional: a password lets them sign in with their email."
        }
      >
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            label={editing ? "New password" : "Password"}
            type="password"
            autoComplete="new-password"
            hint="At least 8 characters"
            error={errors.password?.message}
            {...register("password")}
          />
          {editing && employee.has_login ? (
            <label className="flex items-center gap-2 self-end pb-2 text-sm text-slate-800">
              <input type="checkbox" className="size-4 accent-blue-700" {...register("remove_login")} />
              Remove the login
            </label>
          ) : null}
        </div>
        {!editing ? (
          <fieldset className="mt-4">
            <legend className="text-sm font-medium text-slate-800">Roles</legend>
            <div className="mt-2 flex flex-wrap gap-4">
              {roles.map((role) => (
                <label key={role.name} className="flex items-center gap-2 text-sm text-slate-800" title={role.description}>
                  <input type="checkbox" value={role.name} className="size-4 accent-blue-700" {...register("roles")} />
                  {roleLabel(role.name)}
                </label>
              ))}
            </div>
            {errors.roles?.message ? (
              <p role="alert" className="mt-1 text-sm text-red-700">
                {errors.roles.message}
              </p>
            ) : null}
          </fieldset>
        ) : null}
      </Card>
      {failure ? (
        <Notice tone="error" onDismiss={() => setFailure(null)}>
          {failure.message}
          {failure.code ? <span className="block text-xs">Code: {failure.code}</span> : null}
        </Notice>
      ) : null}
      <div className="flex gap-3">
        <Button type="submit" loading={isSubmitting}>
          {editing ? "Save changes" : "Create employee"}
        </Button>
        <Link
          href={editing ? `/employees/${employee.id}` : "/employees"}
          className="inline-flex h-10 items-center rounded-md px-4 text-sm font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-600"
        >
          Cancel
        </Link>
      </div>
    </form>
  );
}
