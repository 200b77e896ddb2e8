"use client";

import { Button, Dialog, Field, Notice } from "@repo/ui";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiSend, type FetchFailure } from "@/lib/client/api";
import { roleLabel } from "@/lib/employees-query";
// Types only: erased from the browser bundle.
import type { EmployeeRecord, RoleInfo } from "@/lib/services/employee";
import { LinkButton } from "./link-button";

type Open = "roles" | "terminate" | "reactivate" | null;
type Outcome = { tone: "success"; text: string } | { tone: "error"; failure: FetchFailure } | null;

function FailureText({ failure }: { failure: FetchFailure }) {
  return (
    <>
      {failure.message}
      {failure.code ? <span className="block text-xs">Code: {failure.code}</span> : null}
    </>
  );
}

/**
 * HR's actions on one employee: edit, roles, terminate, reactivate. Each says what happened
 * (or the service's refusal) and refreshes the page's data.
 */
export function EmployeeActions({ employee, roles }: { employee: EmployeeRecord; roles: RoleInfo[] }) {
  const router = useRouter();
  const name = `${employee.first_name} ${employee.last_name}`;
  const [open, setOpen] = useState<Open>(null);
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [dialogFailure, setDialogFailure] = useState<FetchFailure | null>(null);
  const [chosen, setChosen] = useState<string[]>(employee.roles);
  const [password, setPassword] = useState("");
  const terminated = employee.status === "terminated";

  function show(which: Open) {
    setDialogFailure(null);
    setOutcome(null);
    setChosen(employee.roles);
    setPassword("");
    setOpen(which);
  }

  async function act(run: () => ReturnType<typeof apiSend<unknown>>, success: string) {
    setPending(true);
    setDialogFailure(null);
    const result = await run();
    setPending(false);
    if (!result.ok) {
      setDialogFailure(result.failure);
      return;
    }
    setOpen(null);
    setOutcome({ tone: "success", text: success });
    router.refresh();
  }

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex flex-wrap justify-end gap-2">
        <LinkButton href={`/employees/${employee.id}/edit`}>Edit</LinkButton>
        <Button variant="secondary" onClick={() => show("roles")}>
          Roles…
        </Button>
        {terminated ? (
          <Button onClick={() => show("reactivate")}>Reactivate…</Button>
        ) : (
          <Button variant="danger" onClick={() => show("terminate")}>
            Terminate…
          </Button>
        )}
      </div>
      {outcome?.tone === "success" ? (
        <Notice tone="success" onDismiss={() => setOutcome(null)}>
          {outcome.text}
        </Notice>
      ) : null}

      <Dialog
        open={open === "roles"}
        onClose={() => setOpen(null)}
        title={`Roles of ${name}`}
        description="What they may see and change in TB ERP. Only an administrator may grant or take away the administrator role."
        footer={
          <>
            <Button variant="secondary" onClick={() => setOpen(null)}>
              Cancel
            </Button>
            <Button type="submit" form="roles-form" loading={pending}>
              Save roles
            </Button>
          </>
        }
      >
        <form
          id="roles-form"
          onSubmit={(event) => {
            event.preventDefault();
            void act(
              () => apiSend("PUT", `/api/employees/${employee.id}/roles`, { roles: chosen }),
              chosen.length === 0
                ? `${name} now has no roles.`
                : `${name}'s roles are now: ${chosen.map(roleLabel).join(", ")}.`,
            );
          }}
        >
          <fieldset className="flex flex-col gap-2">
            <legend className="sr-only">Roles</legend>
            {roles.map((role) => (
              <div key={role.name} className="flex items-start gap-2 text-sm text-slate-800">
                <input
                  id={`role-${employee.id}-${role.name}`}
                  type="checkbox"
                  aria-describedby={`role-${employee.id}-${role.name}-about`}
                  className="mt-0.5 size-4 accent-blue-700"
                  checked={chosen.includes(role.name)}
                  onChange={(event) =>
                    setChosen((current) =>
                      event.target.checked ? [...current, role.name] : current.filter((r) => r !== role.name),
                    )
                  }
                />
                <div>
                  <label htmlFor={`role-${employee.id}-${role.name}`} className="font-medium">
                    {roleLabel(role.name)}
                  </label>
                  <p id={`role-${employee.id}-${role.name}-about`} className="text-slate-600">
                    {role.description}
                  </p>
                </div>
              </div>
            ))}
          </fieldset>
        </form>
        {dialogFailure ? (
          <Notice tone="error">
            <FailureText failure={dialogFailure} />
          </Notice>
        ) : null}
      </Dialog>

      <Dialog
        open={open === "terminate"}
        onClose={() => setOpen(null)}
        title={`Terminate ${name}`}
        description="Their login is disabled and every asset they hold goes back to stock. Their record and history stay; they can be reactivated later."
        footer={
          <>
            <Button variant="secondary" onClick={() => setOpen(null)}>
              Cancel
            </Button>
            <Button
              variant="danger"
              loading={pending}
              onClick={() =>
                void act(
                  () => apiSend("DELETE", `/api/employees/${employee.id}`),
                  `${name} is terminated; their login is disabled and their assets go back to stock.`,
                )
              }
            >
              Terminate
            </Button>
          </>
        }
      >
        {dialogFailure ? (
          <Notice tone="error">
            <FailureText failure={dialogFailure} />
          </Notice>
        ) : (
          <p className="text-sm text-slate-700">This takes effect at once.</p>
        )}
      </Dialog>

      <Dialog
        open={open === "reactivate"}
        onClose={() => setOpen(null)}
        title={`Reactivate ${name}`}
        description="They become active again. Their login is not restored unless you set a new password."
        footer={
          <>
            <Button variant="secondary" onClick={() => setOpen(null)}>
              Cancel
            </Button>
            <Button type="submit" form="reactivate-form" loading={pending}>
              Reactivate
            </Button>
          </>
        }
      >
        <form
          id="reactivate-form"
          onSubmit={(event) => {
            event.preventDefault();
            void act(
              () =>
                apiSend("PATCH", `/api/employees/${employee.id}`, {
                  status: "active",
                  ...(password ? { password } : {}),
                }),
              password ? `${name} is active again and can sign in.` : `${name} is active again (without a login).`,
            );
          }}
        >
          <Field
            label="New password (optional)"
            type="password"
            autoComplete="new-password"
            hint="At least 8 characters; empty: no login"
            value={password}
            minLength={8}
            error={dialogFailure?.fieldErrors.password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </form>
        {dialogFailure && !dialogFailure.fieldErrors.password ? (
          <Notice tone="error">
            <FailureText failure={dialogFailure} />
          </Notice>
        ) : null}
      </Dialog>
    </div>
  );
}
