"use client";

import { useMemo } from "react";
import { fetchCategories, type Category } from "@/lib/client/assets-api";
import { useRemote } from "@/lib/client/use-url-query";

/** The asset categories (for selects and for naming a row's category), loaded once per page. */
export function useCategories() {
  const remote = useRemote("categories", (signal) => fetchCategories(signal));
  const categories: Category[] = useMemo(() => remote.data?.items ?? [], [remote.data]);
  const names = useMemo(() => new Map(categories.map((category) => [category.id, category.name])), [categories]);
  return { categories, names, failure: remote.failure, loading: remote.loading };
}
