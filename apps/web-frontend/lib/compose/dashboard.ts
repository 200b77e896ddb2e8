import "server-only";
import type { ServiceName } from "../env";
import { dashboardService, type DashboardSummary } from "../services/dashboard";
import {
  ServiceContractError,
  ServiceHttpError,
  ServiceUnavailableError,
} from "../services/errors";
import type { ServiceContext } from "../services/http";
import { invoiceService, type Aging } from "../services/invoice";
import type { Page } from "../services/page";
import { listAssetsWithOwners, type AssetWithOwner, type PartialAnswer } from "./assets";

/**
 * The dashboard's composition: the dashboard service's figures, the latest assigned assets with
 * their owners, and the invoice service's aging — asked in parallel with the user's token. The
 * rules of lib/compose/assets.ts hold: a secondary service down gives a partial answer.
 */

export interface DashboardAssetsWithOwners extends PartialAnswer {
  /** The dashboard service's figures; null when it is unavailable. */
  summary: DashboardSummary | null;
  /** The most recently bought assets that someone holds, with their owners. */
  assigned: Page<AssetWithOwner>;
}

export interface DashboardView extends DashboardAssetsWithOwners {
  /**
   * What customers owe per currency, by age. Null when the user's roles may not read invoices
   * (the section is simply not shown, the answer is not partial) or when the invoice service
   * could not be asked (then `unavailable` names "invoice").
   */
  aging: Aging | null;
}

/** The dashboard's figures and the latest assigned assets with their owners, asked in parallel. */
export async function dashboardAssetsWithOwners(
  context: ServiceContext,
  { limit = 10 }: { limit?: number } = {},
): Promise<DashboardAssetsWithOwners> {
  const summary = dashboardService.summary(context).then(
    (figures) => ({ figures, unavailable: false }),
    (error: unknown) => {
      if (error instanceof ServiceUnavailableError || error instanceof ServiceContractError) {
        return { figures: null, unavailable: true };
      }
      throw error;
    },
  );
  const assigned = listAssetsWithOwners(
    { status: "assigned", sort: "-purchase_date", limit, offset: 0 },
    context,
  );
  const [figures, page] = await Promise.all([summary, assigned]);
  const unavailable: ServiceName[] = [...page.unavailable];
  if (figures.unavailable) unavailable.push("dashboard");
  const { partial: _partial, unavailable: _missing, ...assignedPage } = page;
  return {
    summary: figures.figures,
    assigned: assignedPage,
    partial: unavailable.length > 0,
    unavailable,
  };
}

type AgingAnswer = { aging: Aging; unavailable: false } | { aging: null; unavailable: boolean };

/**
 * The aging report, or nothing: a 403 (a role that may not read invoices, e.g. asset_manager)
 * is no failure, just no section; the service down, failing or answering outside its contract
 * makes the answer partial. A 401 goes up so that the user signs in again.
 */
async function agingIfAllowed(context: ServiceContext, asOf: string | undefined): Promise<AgingAnswer> {
  try {
    return { aging: await invoiceService.aging(asOf, context), unavailable: false };
  } catch (error) {
    if (error instanceof ServiceHttpError) {
      if (error.status === 401) throw error;
      if (error.status === 403) return { aging: null, unavailable: false };
      return { aging: null, unavailable: true };
    }
    if (error instanceof ServiceUnavailableError || error instanceof ServiceContractError) {
      return { aging: null, unavailable: true };
    }
    throw error;
  }
}

/**
 * Everything the dashboard page shows. The dashboard summary, the assigned assets and the aging
 * are asked at once (the employee service follows the asset page, once, to name the owners).
 */
export async function dashboardView(
  context: ServiceContext,
  { limit = 5, asOf }: { limit?: number; asOf?: string } = {},
): Promise<DashboardView> {
  const [figures, aging] = await Promise.all([
    dashboardAssetsWithOwners(context, { limit }),
    agingIfAllowed(context, asOf),
  ]);
  const unavailable: ServiceName[] = [...figures.unavailable];
  if (aging.unavailable) unavailable.push("invoice");
  return { ...figures, aging: aging.aging, partial: unavailable.length > 0, unavailable };
}
