import "server-only";
import type { ServiceName } from "../env";
import {
  assetService,
  type Asset,
  type AssetDetail,
  type AssetListQuery,
  type Assignment,
  type Category,
  type Maintenance,
  type Schedule,
} from "../services/asset";
import {
  displayName,
  employeeService,
  MAX_IDS_PER_CALL,
  type Employee,
} from "../services/employee";
import {
  ServiceContractError,
  ServiceHttpError,
  ServiceUnavailableError,
} from "../services/errors";
import type { ServiceContext } from "../services/http";
import type { Page } from "../services/page";

/**
 * Composition of several services' answers into what a page shows — the only place that does it.
 * Rules: one call per service per answer (batch), each id asked once (de-duplicate), independent
 * calls in parallel, and a missing secondary service gives a partial answer (`partial: true`, the
 * service named in `unavailable`) rather than an error.
 */

/** The owner merged into an asset. `name` is null when the owner could not be named. */
export interface AssetOwner {
  id: number;
  name: string | null;
  /** True when the employee service could not be asked (the answer is then `partial`). */
  unavailable: boolean;
}

export type AssetWithOwner = Asset & { assigned_employee: AssetOwner | null };

export interface PartialAnswer {
  /** True when some secondary service could not be asked; the fields it feeds are left empty. */
  partial: boolean;
  /** The services that could not be asked. */
  unavailable: ServiceName[];
}

export type AssetsWithOwnersPage = Page<AssetWithOwner> & PartialAnswer;

interface OwnerNames {
  names: Map<number, string>;
  unavailable: boolean;
}

/** The distinct owner ids of a page, in ascending order (so the same page asks the same URL). */
export function ownerIds(assets: readonly Asset[]): number[] {
  const ids = new Set<number>();
  for (const asset of assets) {
    if (asset.assigned_employee_id !== null) ids.add(asset.assigned_employee_id);
  }
  return [...ids].sort((a, b) => a - b);
}

/**
 * Names the owners with ONE `GET /employees?ids=` per 500 ids (a page holds at most 200). When
 * the employee service cannot answer, the owners are marked unavailable instead of failing the
 * page; only a 401 (the user's token is no longer valid) goes up, so that the user signs in again.
 */
async function nameOwners(ids: number[], context: ServiceContext): Promise<OwnerNames> {
  const names = new Map<number, string>();
  if (ids.length === 0) return { names, unavailable: false };
  const batches: number[][] = [];
  for (let start = 0; start < ids.length; start += MAX_IDS_PER_CALL) {
    batches.push(ids.slice(start, start + MAX_IDS_PER_CALL));
  }
  try {
    const answers = await Promise.all(batches.map((batch) => employeeService.byIds(batch, context)));
    for (const employee of answers.flat()) names.set(employee.id, displayName(employee));
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

function withOwners(assets: readonly Asset[], owners: OwnerNames): AssetWithOwner[] {
  return assets.map((asset) => {
    const id = asset.assigned_employee_id;
    const assigned_employee: AssetOwner | null =
      id === null
        ? null
        : { id, name: owners.names.get(id) ?? null, unavailable: owners.unavailable };
    return { ...asset, assigned_employee };
  });
}

/** A page of assets with the service's filters and paging, each with its owner's name. */
export async function listAssetsWithOwners(
  query: AssetListQuery,
  context: ServiceContext,
): Promise<AssetsWithOwnersPage> {
  const page = await assetService.list(query, context);
  const owners = await nameOwners(ownerIds(page.items), context);
  return {
    ...page,
    items: withOwners(page.items, owners),
    partial: owners.unavailable,
    unavailable: owners.unavailable ? ["employee"] : [],
  };
}

/** An assignment of the asset's history, with the employee named. */
export type AssignmentWithEmployee = Assignment & { employee: AssetOwner };

/** Everything the asset detail page shows. */
export interface AssetDetailView extends PartialAnswer {
  asset: AssetDetail & { assigned_employee: AssetOwner | null };
  /** The asset's category; null when the service did not find it. */
  category: Category | null;
  /** The latest assignments (newest first), each with the employee's name. */
  history: Page<AssignmentWithEmployee>;
  /** The latest maintenance (newest first). */
  maintenance: Page<Maintenance>;
  schedule: Schedule;
}

/** How many history rows and maintenance logs the detail page shows. */
export const DETAIL_ROWS = 100;

/** The distinct employees an asset's detail names: its holder and everyone in its history. */
export function detailEmployeeIds(asset: Pick<Asset, "assigned_employee_id">, history: readonly Assignment[]): number[] {
  const ids = new Set<number>();
  if (asset.assigned_employee_id !== null) ids.add(asset.assigned_employee_id);
  for (const row of history) ids.add(row.employee_id);
  return [...ids].sort((a, b) => a - b);
}

async function categoryOrNull(id: number, context: ServiceContext): Promise<Category | null> {
  try {
    return await assetService.category(id, context);
  } catch (error) {
    if (error instanceof ServiceHttpError && error.status === 404) return null;
    throw error;
  }
}

/**
 * An asset's detail: the asset, its history, maintenance and depreciation schedule asked in
 * parallel, then the holder and every employee of the history named with ONE batched
 * `GET /employees?ids=` (each id once). The employee service down → names empty, `partial`.
 */
export async function assetDetail(id: number, context: ServiceContext): Promise<AssetDetailView> {
  const [asset, history, maintenance, schedule] = await Promise.all([
    assetService.get(id, context),
    assetService.history(id, { limit: DETAIL_ROWS, offset: 0 }, context),
    assetService.maintenance(id, { limit: DETAIL_ROWS, offset: 0, sort: "-started_at" }, context),
    assetService.depreciation(id, context),
  ]);
  const [category, owners] = await Promise.all([
    categoryOrNull(asset.category_id, context),
    nameOwners(detailEmployeeIds(asset, history.items), context),
  ]);
  const name = (employeeId: number): AssetOwner => ({
    id: employeeId,
    name: owners.names.get(employeeId) ?? null,
    unavailable: owners.unavailable,
  });
  return {
    asset: {
      ...asset,
      assigned_employee: asset.assigned_employee_id === null ? null : name(asset.assigned_employee_id),
    },
    category,
    history: { ...history, items: history.items.map((row) => ({ ...row, employee: name(row.employee_id) })) },
    maintenance,
    schedule,
    partial: owners.unavailable,
    unavailable: owners.unavailable ? ["employee"] : [],
  };
}

/** One choice of the employee picker. */
export interface EmployeeOption {
  id: number;
  name: string;
  email: string;
  job_title: string | null;
  status: Employee["status"];
}

/** The first 10 employees whose name or email contains `q` (the employee service's own search). */
export async function employeeOptions(q: string | undefined, context: ServiceContext): Promise<EmployeeOption[]> {
  const people = await employeeService.search(q, 10, context);
  return people.map((person) => ({
    id: person.id,
    name: displayName(person),
    email: person.email,
    job_title: person.job_title,
    status: person.status,
  }));
}
