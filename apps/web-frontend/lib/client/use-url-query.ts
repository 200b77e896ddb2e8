"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { z } from "zod";
import type { SortingState, VisibilityState } from "@repo/ui";
import type { ApiResult, FetchFailure } from "./api";

type UrlValue = string | number | undefined | null;

/**
 * A list's state lives in its URL (filters, sort, page, visible columns), so a view can be
 * bookmarked, shared and saved. `query` is the URL read through the list's zod schema (a
 * hand-edited bad value falls back to the defaults); `navigate` writes changes back, dropping
 * empty values and a zero offset.
 */
export function useUrlQuery<TSchema extends z.ZodType>(schema: TSchema) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const text = searchParams.toString();
  const query = useMemo(() => {
    const parsed = schema.safeParse(Object.fromEntries(new URLSearchParams(text).entries()));
    return (parsed.success ? parsed.data : schema.parse({})) as z.output<TSchema>;
  }, [schema, text]);

  const navigate = useCallback(
    (changes: Record<string, UrlValue>) => {
      const next = new URLSearchParams(text);
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined || value === null || value === "") next.delete(key);
        else next.set(key, String(value));
      }
      if (next.get("offset") === "0") next.delete("offset");
      const search = next.toString();
      router.replace(search ? `${pathname}?${search}` : pathname, { scroll: false });
    },
    [router, pathname, text],
  );

  return { query, navigate, search: text };
}

/** The `sort` parameter (`name` or `-name`) as TanStack's sorting state, and back. */
export function sortingOf(sort: string | undefined | null): SortingState {
  return sort ? [{ id: sort.replace(/^-/, ""), desc: sort.startsWith("-") }] : [];
}

export function sortParam(sorting: SortingState): string | undefined {
  const first = sorting[0];
  return first ? `${first.desc ? "-" : ""}${first.id}` : undefined;
}

/**
 * The `columns` parameter (comma-separated ids of the columns to show) as TanStack's visibility
 * state: absent means every column.
 */
export function visibilityOf(columns: string | undefined | null, all: readonly string[]): VisibilityState {
  if (!columns) return {};
  const shown = new Set(columns.split(","));
  return Object.fromEntries(all.map((id) => [id, shown.has(id)]));
}

/**
 * Text typed into a search box, written to the URL a moment after typing stops.
 * Returns the box's value and its setter.
 */
export function useDebouncedParam(
  current: string | undefined,
  write: (value: string | undefined) => void,
  delayMs = 300,
): [string, (value: string) => void] {
  const [value, setValue] = useState(current ?? "");
  useEffect(() => {
    if ((current ?? "") === value) return;
    const timer = setTimeout(() => write(value.trim() || undefined), delayMs);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only typing restarts the timer
  }, [value]);
  return [value, setValue];
}

export interface Remote<T> {
  /** The last answer; kept on screen while the next one loads. */
  data: T | null;
  failure: FetchFailure | null;
  loading: boolean;
  /** Loads again (after an action changed the data, or "Try again"). */
  reload: () => void;
}

/**
 * Loads what `load` fetches whenever `key` changes (the URL's query, say), aborting the previous
 * request; a 401 has already sent the user to sign in.
 */
export function useRemote<T>(key: string, load: (signal: AbortSignal) => Promise<ApiResult<T>>): Remote<T> {
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<{ key: string; data: T | null; failure: FetchFailure | null } | null>(null);
  const requestKey = `${key}#${attempt}`;
  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal)
      .then((outcome) => {
        if (controller.signal.aborted || (!outcome.ok && outcome.failure.status === 401)) return;
        setResult((previous) =>
          outcome.ok
            ? { key: requestKey, data: outcome.value, failure: null }
            : { key: requestKey, data: previous?.data ?? null, failure: outcome.failure },
        );
      })
      .catch(() => undefined);
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- requestKey stands for key and attempt
  }, [requestKey]);
  const loading = result?.key !== requestKey;
  return {
    data: result?.data ?? null,
    failure: loading ? null : (result?.failure ?? null),
    loading,
    reload: () => setAttempt((n) => n + 1),
  };
}
