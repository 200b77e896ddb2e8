import "server-only";
import { z } from "zod";
import { canSee } from "../auth/roles";
import type { ServiceName } from "../env";
import { isServiceError, ServiceHttpError } from "../services/errors";
import { callService, type ServiceContext } from "../services/http";
import { pageSchema } from "../services/page";
import type { PartialAnswer } from "./assets";

/**
 * The command palette's search: one query asked of every service the user may read, in parallel,
 * a few hits each — assets by tag, name or serial; invoices by number or customer; customers by
 * name or tax id; employees by name or email. A service that is down makes the answer partial;
 * one that refuses the user (403) is simply not searched.
 */

export type HitKind = "asset" | "invoice" | "customer" | "employee";

export interface SearchHit {
  kind: HitKind;
  id: number;
  /** What the hit is called: a tag and name, an invoice number, a person's name. */
  title: string;
  /** One line more: status, customer, email. */
  detail: string;
  href: string;
}

export interface SearchAnswer extends PartialAnswer {
  hits: SearchHit[];
}

export const HITS_PER_KIND = 5;

interface Source<TItem> {
  kind: HitKind;
  service: ServiceName;
  path: string;
  area: Parameters<typeof canSee>[1];
  item: z.ZodType<TItem>;
  hit: (item: TItem) => Omit<SearchHit, "kind">;
}

function source<TItem>(spec: Source<TItem>): Source<unknown> {
  return spec as unknown as Source<unknown>;
}

const SOURCES: Source<unknown>[] = [
  source({
    kind: "asset",
    service: "asset",
    path: "/api/v1/assets",
    area: "assets",
    item: z.object({ id: z.number().int(), asset_tag: z.string(), name: z.string(), status: z.string() }),
    hit: (asset) => ({
      id: asset.id,
      title: `${asset.asset_tag} · ${asset.name}`,
      detail: asset.status.replaceAll("_", " "),
      href: `/assets/${asset.id}`,
    }),
  }),
  source({
    kind: "invoice",
    service: "invoice",
    path: "/api/v1/invoices",
    area: "invoices",
    item: z.object({
      id: z.number().int(),
      number: z.string().nullable(),
      customer_name: z.string().nullable(),
      status: z.string(),
    }),
    hit: (invoice) => ({
      id: invoice.id,
      title: invoice.number ?? `Draft #${invoice.id}`,
      detail: [invoice.customer_name, invoice.status].filter(Boolean).join(" · "),
      href: `/invoices/${invoice.id}`,
    }),
  }),
  source({
    kind: "customer",
    service: "invoice",
    path: "/api/v1/customers",
    area: "customers",
    item: z.object({ id: z.number().int(), name: z.string(), email: z.string().nullable() }),
    hit: (customer) => ({
      id: customer.id,
      title: customer.name,
      detail: customer.email ?? "",
      href: `/customers/${customer.id}`,
    }),
  }),
  source({
    kind: "employee",
    service: "employee",
    path: "/api/v1/employees",
    area: "employees",
    item: z.object({
      id: z.number().int(),
      first_name: z.string(),
      last_name: z.string(),
      email: z.string(),
      job_title: z.string().nullable(),
    }),
    hit: (employee) => ({
      id: employee.id,
      title: `${employee.first_name} ${employee.last_name}`,
      detail: [employee.job_title, employee.email].filter(Boolean).join(" · "),
      href: `/employees/${employee.id}`,
    }),
  }),
];

type Outcome = { hits: SearchHit[] } | { unavailable: ServiceName };

async function ask(spec: Source<unknown>, q: string, context: ServiceContext): Promise<Outcome> {
  try {
    const page = await callService(spec.service, spec.path, context, {
      query: { q, limit: HITS_PER_KIND },
      schema: pageSchema(spec.item),
    });
    return { hits: page.items.map((item) => ({ kind: spec.kind, ...spec.hit(item) })) };
  } catch (error) {
    // Not the user's to read, or a query this service does not take: nothing from here.
    if (error instanceof ServiceHttpError && error.status < 500) return { hits: [] };
    if (isServiceError(error)) return { unavailable: spec.service };
    throw error;
  }
}

/** Every readable kind searched at once; hits grouped by kind in a fixed order. */
export async function searchEverything(
  q: string,
  roles: readonly string[],
  context: ServiceContext,
): Promise<SearchAnswer> {
  const sources = SOURCES.filter((spec) => canSee(roles, spec.area));
  const outcomes = await Promise.all(sources.map((spec) => ask(spec, q, context)));
  const hits: SearchHit[] = [];
  const unavailable = new Set<ServiceName>();
  for (const outcome of outcomes) {
    if ("unavailable" in outcome) unavailable.add(outcome.unavailable);
    else hits.push(...outcome.hits);
  }
  return { hits, partial: unavailable.size > 0, unavailable: [...unavailable] };
}
