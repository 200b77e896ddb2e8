import type { AssetsExportQuery, AssetsQuery, BulkBodyInput } from "@/lib/assets-query";
// Types only: erased from the browser bundle, so the server-only modules are not shipped.
import type { AssetDetailView, AssetsWithOwnersPage, AssetWithOwner, EmployeeOption } from "@/lib/compose/assets";
import type { AssetDetail, BulkRejected, BulkResult, Category, ImportResult, Maintenance } from "@/lib/services/asset";
import type { Page } from "@/lib/services/page";
import { apiGet, apiSend, apiUrl, describeFailure, type ApiResult, type FetchFailure } from "./api";

/** The browser's side of the BFF's asset routes: the shapes they answer (the server's own types). */

export type AssetRow = AssetWithOwner;
export type AssetsAnswer = AssetsWithOwnersPage;
export type { AssetDetail, AssetDetailView, BulkRejected, BulkResult, Category, EmployeeOption, ImportResult, Maintenance };
export type { FetchFailure } from "./api";

type Params = Record<string, string | number | boolean | null | undefined>;

export function fetchAssets(query: AssetsQuery, signal: AbortSignal): Promise<ApiResult<AssetsAnswer>> {
  return apiGet<AssetsAnswer>("/api/assets", query, signal);
}

export function fetchCategories(signal?: AbortSignal): Promise<ApiResult<Page<Category>>> {
  return apiGet<Page<Category>>("/api/categories", undefined, signal);
}

export function searchEmployees(q: string, signal?: AbortSignal): Promise<ApiResult<{ items: EmployeeOption[] }>> {
  return apiGet<{ items: EmployeeOption[] }>("/api/assets/employee-options", { q: q.trim() || undefined }, signal);
}

export function createAsset(body: Record<string, unknown>): Promise<ApiResult<AssetDetail>> {
  return apiSend<AssetDetail>("POST", "/api/assets", body);
}

export function updateAsset(id: number, body: Record<string, unknown>): Promise<ApiResult<AssetDetail>> {
  return apiSend<AssetDetail>("PATCH", `/api/assets/${id}`, body);
}

export function deleteAsset(id: number): Promise<ApiResult<void>> {
  return apiSend<void>("DELETE", `/api/assets/${id}`);
}

export function assetAction(
  id: number,
  action: "assign" | "return" | "dispose" | "maintenance",
  body: Record<string, unknown>,
): Promise<ApiResult<AssetDetail | Maintenance>> {
  return apiSend<AssetDetail | Maintenance>("POST", `/api/assets/${id}/${action}`, body);
}

export function completeMaintenance(id: number, logId: number, body: Record<string, unknown>): Promise<ApiResult<Maintenance>> {
  return apiSend<Maintenance>("POST", `/api/assets/${id}/maintenance/${logId}/complete`, body);
}

/** The rows of a rejected bulk action (409 `bulk_rejected`), or null for any other failure. */
export function bulkRejection(failure: FetchFailure): BulkRejected | null {
  const body = failure.body as Partial<BulkRejected> | null;
  if (failure.status !== 409 || !body || body.code !== "bulk_rejected" || !Array.isArray(body.results)) return null;
  return body as BulkRejected;
}

export function bulkAssets(body: BulkBodyInput): Promise<ApiResult<BulkResult>> {
  return apiSend<BulkResult>("POST", "/api/assets/bulk", body);
}

/** `/api/assets/export?…`: the URL of the CSV of a filter or of a selection (`ids`). */
export function exportUrl(filters: AssetsExportQuery): string {
  return apiUrl("/api/assets/export", filters as Params);
}

/** The file name a content-disposition header gives, if any. */
export function fileNameOf(disposition: string | null, fallback = "assets.csv"): string {
  if (!disposition) return fallback;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star?.[1]) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain?.[1] ?? fallback;
}

async function failureOf(response: Response, what: string): Promise<FetchFailure> {
  const body = (await response.json().catch(() => null)) as unknown;
  if (response.status === 401 && typeof window !== "undefined") {
    const back = encodeURIComponent(window.location.pathname + window.location.search);
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination
    window.location.assign(`/login?callbackUrl=${back}`);
  }
  return describeFailure(response.status, body, `${what} failed (HTTP ${response.status})`);
}

const unreachable: FetchFailure = {
  status: 0,
  message: "The server cannot be reached; check your connection",
  code: null,
  fieldErrors: {},
  body: null,
};

/**
 * Downloads the CSV of `filters` as a file named by the service; on a refusal the service's
 * message comes back instead (a link would show the user raw JSON).
 */
export async function downloadExport(filters: AssetsExportQuery): Promise<ApiResult<{ fileName: string; bytes: number }>> {
  let response: Response;
  try {
    response = await fetch(exportUrl(filters), { headers: { accept: "text/csv, application/json" } });
  } catch {
    return { ok: false, failure: unreachable };
  }
  if (!response.ok) return { ok: false, failure: await failureOf(response, "The export") };
  const blob = await response.blob();
  const fileName = fileNameOf(response.headers.get("content-disposition"));
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { ok: true, value: { fileName, bytes: blob.size } };
}

/** One failing row of an import (the service's 422 `invalid_csv`). */
export interface ImportProblem {
  row: number;
  field: string | null;
  message: string;
}

/** The failing rows of an import's 422: the service's `errors`, else read from `detail`. */
export function importProblems(failure: FetchFailure): ImportProblem[] {
  const body = failure.body as { errors?: unknown; detail?: unknown } | null;
  if (body && Array.isArray(body.errors)) {
    return (body.errors as Partial<ImportProblem>[]).map((error) => ({
      row: typeof error.row === "number" ? error.row : 0,
      field: typeof error.field === "string" ? error.field : null,
      message: typeof error.message === "string" ? error.message : "is not valid",
    }));
  }
  if (body && Array.isArray(body.detail)) {
    return (body.detail as { loc?: unknown[]; msg?: unknown }[]).map((issue) => {
      const loc = Array.isArray(issue.loc) ? issue.loc : [];
      return {
        row: typeof loc[2] === "number" ? loc[2] : 0,
        field: typeof loc[3] === "string" ? loc[3] : null,
        message: typeof issue.msg === "string" ? issue.msg : "is not valid",
      };
    });
  }
  return [];
}

/** `POST /api/assets/import` with the file as multipart (field `file`). */
export async function importAssets(file: File): Promise<ApiResult<ImportResult>> {
  const form = new FormData();
  form.set("file", file, file.name);
  let response: Response;
  try {
    response = await fetch("/api/assets/import", { method: "POST", body: form, headers: { accept: "application/json" } });
  } catch {
    return { ok: false, failure: unreachable };
  }
  if (!response.ok) return { ok: false, failure: await failureOf(response, "The import") };
  return { ok: true, value: (await response.json()) as ImportResult };
}
