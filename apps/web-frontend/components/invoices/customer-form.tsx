"use client";

import { Button, Card, Dialog, Field, Notice, TextAreaField } from "@repo/ui";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { customersApi, existingCustomer, type Customer, type FetchFailure, type Named } from "@/lib/client/invoices-api";
import { COMMON_CURRENCIES } from "@/lib/invoices-query";

interface Values {
  name: string;
  email: string;
  tax_id: string;
  billing_address: string;
  currency: string;
  payment_terms_days: string;
}

function valuesOf(customer: Customer | null): Values {
  return {
    name: customer?.name ?? "",
    email: customer?.email ?? "",
    tax_id: customer?.tax_id ?? "",
    billing_address: customer?.billing_address ?? "",
    currency: customer?.currency ?? "EUR",
    payment_terms_days: String(customer?.payment_terms_days ?? 30),
  };
}

const orNull = (value: string) => (value.trim() === "" ? null : value.trim());

/**
 * A customer's form (new, or an existing one's). A 409 `duplicate_tax_id` names the customer that
 * already has the tax id, with a link to it; other refusals show the service's message on the field.
 */
export function CustomerForm({ customer, canManage }: { customer: Customer | null; canManage: boolean }) {
  const router = useRouter();
  const [values, setValues] = useState<Values>(() => valuesOf(customer));
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<FetchFailure | null>(null);
  const [duplicate, setDuplicate] = useState<Named | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleteFailure, setDeleteFailure] = useState<FetchFailure | null>(null);
  const readOnly = !canManage;

  const set = (field: keyof Values) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [field]: event.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setFailure(null);
    setDuplicate(null);
    setSaved(null);
    const terms = values.payment_terms_days.trim();
    const body = {
      name: values.name.trim(),
      email: orNull(values.email),
      tax_id: orNull(values.tax_id),
      billing_address: orNull(values.billing_address),
      currency: values.currency.trim().toUpperCase(),
      payment_terms_days: /^\d+$/.test(terms) ? Number(terms) : 30,
    };
    const result = customer ? await customersApi.update(customer.id, body) : await customersApi.create(body);
    setPending(false);
    if (!result.ok) {
      setFailure(result.failure);
      if (result.failure.code === "duplicate_tax_id") setDuplicate(existingCustomer(result.failure));
      return;
    }
    if (customer) {
      setSaved(`${result.value.name} saved.`);
      router.refresh();
    } else {
      router.push(`/customers/${result.value.id}?created=1`);
    }
  }

  async function remove() {
    if (!customer) return;
    setPending(true);
    const result = await customersApi.remove(customer.id);
    setPending(false);
    if (result.ok) {
      router.push("/customers");
      router.refresh();
    } else {
      setDeleteFailure(result.failure);
    }
  }

  const errors = failure?.fieldErrors ?? {};
  const taxIdError = duplicate ? "Another customer has this tax id" : errors.tax_id;
  return (
    <Card>
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {saved ? (
          <Notice tone="success" onDismiss={() => setSaved(null)}>
            {saved}
          </Notice>
        ) : null}
        {failure ? (
          <Notice tone="error" onDismiss={() => setFailure(null)}>
            {duplicate ? (
              <>
                The tax id {values.tax_id} already belongs to{" "}
                <Link href={`/customers/${duplicate.id}`} className="font-medium underline">
                  {duplicate.name}
                </Link>
                . Open that customer instead, or correct the tax id.
              </>
            ) : (
              failure.message
            )}
          </Notice>
        ) : null}
        <fieldset disabled={readOnly} className="grid grid-cols-1 gap-4 md:grid-cols-2">
          <Field label="Name" required maxLength={200} value={values.name} onChange={set("name")} error={errors.name} />
          <Field label="Email" type="email" maxLength={254} value={values.email} onChange={set("email")} error={errors.email} />
          <Field label="Tax id" maxLength={50} value={values.tax_id} onChange={set("tax_id")} error={taxIdError} />
          <div>
            <Field
              label="Currency"
              list="customer-currencies"
              maxLength={3}
              required
              value={values.currency}
              onChange={set("currency")}
              error={errors.currency}
              hint="New invoices use it unless told otherwise"
            />
            <datalist id="customer-currencies">
              {COMMON_CURRENCIES.map((code) => (
                <option key={code} value={code} />
              ))}
            </datalist>
          </div>
          <Field
            label="Payment terms (days)"
            type="number"
            min={0}
            max={365}
            value={values.payment_terms_days}
            onChange={set("payment_terms_days")}
            error={errors.payment_terms_days}
          />
          <TextAreaField
            label="Billing address"
            rows={3}
            maxLength={1000}
            value={values.billing_address}
            onChange={set("billing_address")}
            error={errors.billing_address}
          />
        </fieldset>
        {readOnly ? null : (
          <div className="flex flex-wrap justify-between gap-2">
            <div>
              {customer ? (
                <Button variant="danger" onClick={() => setConfirmDelete(true)}>
                  Delete customer
                </Button>
              ) : null}
            </div>
            <div className="flex gap-2">
              <Link
                href="/customers"
                className="inline-flex h-10 items-center rounded-md px-4 text-sm font-medium text-slate-800 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-600"
              >
                Cancel
              </Link>
              <Button type="submit" loading={pending}>
                {customer ? "Save changes" : "Add customer"}
              </Button>
            </div>
          </div>
        )}
      </form>
      {customer ? (
        <Dialog
          open={confirmDelete}
          onClose={() => {
            setConfirmDelete(false);
            setDeleteFailure(null);
          }}
          title={`Delete ${customer.name}?`}
          description="Only a customer without invoices can be deleted."
          footer={
            <>
              <Button variant="secondary" onClick={() => setConfirmDelete(false)}>
                Cancel
              </Button>
              <Button variant="danger" loading={pending} onClick={remove}>
                Delete
              </Button>
            </>
          }
        >
          {deleteFailure ? <Notice tone="error">{deleteFailure.message}</Notice> : <span />}
        </Dialog>
      ) : null}
    </Card>
  );
}
