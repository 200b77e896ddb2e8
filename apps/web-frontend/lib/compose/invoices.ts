import "server-only";
import type { ServiceName } from "../env";
import { displayName, employeeService, MAX_IDS_PER_CALL } from "../services/employee";
import {
  ServiceContractError,
  ServiceHttpError,
  ServiceUnavailableError,
} from "../services/errors";
import type { ServiceContext } from "../services/http";
import {
  customerService,
  invoiceService,
  type Invoice,
  type InvoiceListQuery,
} from "../services/invoice";
import type { Page } from "../services/page";

/**
 * Invoices with the names of their responsible employees (invoice service → employee service).
 * The rules of lib/compose/assets.ts: one `GET /employees?ids=` per answer (batched), each id
 * asked once, independent calls in parallel, and an employee service that cannot answer gives a
 * partial answer (`partial: true`, `unavailable: ["employee"]`), never an error. The invoice
 * service's own 4xx go up as they are (the BFF passes them on).
 *
 * The customer's name needs no composition: the invoice service sends `customer_name` itself.
 */

/** The responsible employee merged into an invoice; `name` null when they could not be named. */
export interface Responsible {
  id: number;
  name: string | null;
  /** True when the employee service could not be asked (the answer is then `partial`). */
  unavailable: boolean;
}

export interface Named {
  id: number;
  name: string;
}

export interface PartialAnswer {
  partial: boolean;
  unavailable: ServiceName[];
}

/** A row of the invoice list: the invoice without its lines, payments and credit notes. */
export type InvoiceSummary = Omit<Invoice, "lines" | "payments" | "credit_notes">;
export type InvoiceRow = InvoiceSummary & { employee: Responsible | null };

export type InvoicesWithEmployeesPage = Page<InvoiceRow> &
  PartialAnswer & {
    /** The names of the customer and employee the list is filtered by (for the filter controls). */
    filters: { customer: Named | null; employee: Responsible | null };
  };

export type InvoiceWithEmployee = Invoice & { employee: Responsible | null } & PartialAnswer;

interface EmployeeNames {
  names: Map<number, string>;
  unavailable: boolean;
}

/** The distinct ids, ascending (the same page asks the same URL). */
export function distinctIds(ids: Iterable<number | null | undefined>): number[] {
  const set = new Set<number>();
  for (const id of ids) if (typeof id === "number") set.add(id);
  return [...set].sort((a, b) => a - b);
}

/**
 * Names employees with one `GET /employees?ids=` per 500 ids. The employee service unreachable,
 * failing, refusing or answering outside its contract → every one unnamed and `unavailable`;
 * only its 401 (the user's token is no longer valid) goes up, so that the user signs in again.
 */
export async function nameEmployees(ids: readonly number[], context: ServiceContext): Promise<EmployeeNames> {
  const names = new Map<number, string>();
  if (ids.length === 0) return { names, unavailable: false };
  const batches: number[][] = [];
  for (let start = 0; start < ids.length; start += MAX_IDS_PER_CALL) {
    batches.push(ids.slice(start, start + MAX_IDS_PER_CALL));
  }
  try {
    const answers = await Promise.all(batches.map((batch) => employeeService.byIds(batch, context)));
    for (const person of answers.flat()) names.set(person.id, displayName(person));
    return { names, unavailable: false };
  } catch (error) {
    if (error instanceof ServiceHttpError && error.status === 401) throw error;
    if (
      error instanceof ServiceUnavailableError ||
      error instanceof ServiceContractError ||
      error instanceof ServiceHttpError
    ) {
      return { names, unavailable: true };
    }
    throw error;
  }
}

function responsible(id: number | null, names: EmployeeNames): Responsible | null {
  return id === null ? null : { id, name: names.names.get(id) ?? null, unavailable: names.unavailable };
}

function summary(invoice: Invoice): InvoiceSummary {
  const { lines: _lines, payments: _payments, credit_notes: _notes, ...rest } = invoice;
  return rest;
}

/** The customer a list is filtered by, for its filter control; null when it cannot be read. */
async function customerName(id: number | undefined | null, context: ServiceContext): Promise<Named | null> {
  if (!id) return null;
  try {
    const customer = await customerService.get(id, context);
    return { id: customer.id, name: customer.name };
  } catch (error) {
    if (error instanceof ServiceHttpError && error.status === 401) throw error;
    return null;
  }
}

/**
 * A page of invoices (the service's filters, sort and paging) with each responsible employee's
 * name. The filter's customer is looked up in parallel with the page; the filter's employee
 * joins the page's one employee call.
 */
export async function listInvoicesWithEmployees(
  query: InvoiceListQuery,
  context: ServiceContext,
): Promise<InvoicesWithEmployeesPage> {
  const [page, customer] = await Promise.all([
    invoiceService.list(query, context),
    customerName(query.customer_id, context),
  ]);
  const ids = distinctIds([...page.items.map((invoice) => invoice.employee_id), query.employee_id]);
  const names = await nameEmployees(ids, context);
  return {
    ...page,
    items: page.items.map((invoice) => ({ ...summary(invoice), employee: responsible(invoice.employee_id, names) })),
    partial: names.unavailable,
    unavailable: names.unavailable ? ["employee"] : [],
    filters: { customer, employee: responsible(query.employee_id ?? null, names) },
  };
}

/** One invoice with its responsible employee's name. */
export async function invoiceWithEmployee(id: number, context: ServiceContext): Promise<InvoiceWithEmployee> {
  const invoice = await invoiceService.get(id, context);
  const names = await nameEmployees(distinctIds([invoice.employee_id]), context);
  return {
    ...invoice,
    employee: responsible(invoice.employee_id, names),
    partial: names.unavailable,
    unavailable: names.unavailable ? ["employee"] : [],
  };
}

/**
 * People to pick as an invoice's responsible employee: active employees whose name or email
 * contains `q`, or the ones with the given ids (to name a pre-selected one). 20 at most.
 */
export async function findEmployees(
  { q, ids }: { q?: string; ids?: string },
  context: ServiceContext,
): Promise<{ items: Named[] }> {
  if (ids) {
    const people = await employeeService.byIds(distinctIds(ids.split(",").map(Number)), context);
    return { items: people.map((person) => ({ id: person.id, name: displayName(person) })) };
  }
  const people = await employeeService.search(q, 20, context, { status: "active" });
  return { items: people.map((person) => ({ id: person.id, name: displayName(person) })) };
}
