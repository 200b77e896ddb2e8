import type { AssetsQuery } from "@/lib/assets-query";
// Types only: erased from the browser bundle, so the server-only module is not shipped.
import type { AssetsWithOwnersPage, AssetWithOwner } from "@/lib/compose/assets";

/**
 * The browser's side of `GET /api/assets`: the shapes it answers (the composition's own types; the
 * BFF validated the data already) and a fetch that turns every failure into the one `{detail, code}` error shape.
 */

export type AssetRow = AssetWithOwner;
export type AssetsAnswer = AssetsWithOwnersPage;

export interface FetchFailure {
  status: number;
  message: string;
  code: string | null;
}

type Detail = string | { field?: string; msg?: string }[];

function messageOf(detail: Detail | undefined, fallback: string): string {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((issue) => `${issue.field ?? "?"}: ${issue.msg ?? ""}`).join("; ");
  return fallback;
}

export async function fetchAssets(
  query: AssetsQuery,
  signal: AbortSignal,
): Promise<{ ok: true; answer: AssetsAnswer } | { ok: false; failure: FetchFailure }> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  let response: Response;
  try {
    response = await fetch(`/api/assets?${params.toString()}`, { signal, headers: { accept: "application/json" } });
  } catch {
    return {
      ok: false,
      failure: { status: 0, message: "The server cannot be reached; check your connection", code: null },
    };
  }
  const body = (await response.json().catch(() => null)) as
    | (AssetsAnswer & { detail?: Detail; code?: string })
    | null;
  if (response.ok && body) return { ok: true, answer: body };
  return {
    ok: false,
    failure: {
      status: response.status,
      message: messageOf(body?.detail, `The assets could not be loaded (HTTP ${response.status})`),
      code: body?.code ?? null,
    },
  };
}
