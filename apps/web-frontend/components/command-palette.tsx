"use client";

import { Command } from "cmdk";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { apiGet } from "@/lib/client/api";
// Types only: erased from the browser bundle.
import type { HitKind, SearchAnswer, SearchHit } from "@/lib/compose/search";

export interface PaletteLink {
  label: string;
  href: string;
}

const KIND_LABELS: Record<HitKind, string> = {
  asset: "Assets",
  invoice: "Invoices",
  customer: "Customers",
  employee: "Employees",
};
const KIND_ORDER: HitKind[] = ["asset", "invoice", "customer", "employee"];

const itemClass =
  "flex cursor-pointer items-center justify-between gap-3 rounded-md px-3 py-2 text-sm text-slate-800 data-[selected=true]:bg-blue-50 data-[selected=true]:text-blue-900";
const groupClass =
  "[&_[cmdk-group-heading]]:px-3 [&_[cmdk-group-heading]]:pt-3 [&_[cmdk-group-heading]]:pb-1 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-semibold [&_[cmdk-group-heading]]:text-slate-600 [&_[cmdk-group-heading]]:uppercase";

function matches(text: string, query: string): boolean {
  return text.toLowerCase().includes(query.trim().toLowerCase());
}

/**
 * Ctrl-K (⌘K): jump to any asset, invoice, customer or employee by tag, number or name — searched
 * across the services the user may read — or to a page or an action. Arrow keys move, Enter goes,
 * Escape closes.
 */
export function CommandPalette({ pages, actions }: { pages: PaletteLink[]; actions: PaletteLink[] }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const [answer, setAnswer] = useState<{ query: string; hits: SearchHit[]; partial: boolean } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.key.toLowerCase() === "k" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        setOpen((current) => !current);
      }
    }
    function onOpenRequest() {
      setOpen(true);
    }
    window.addEventListener("keydown", onKey);
    window.addEventListener("tb:open-palette", onOpenRequest);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("tb:open-palette", onOpenRequest);
    };
  }, []);

  const trimmed = query.trim();
  useEffect(() => {
    if (trimmed.length < 2) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      apiGet<SearchAnswer>("/api/search", { q: trimmed }, controller.signal)
        .then((outcome) => {
          if (controller.signal.aborted) return;
          if (outcome.ok) {
            setAnswer({ query: trimmed, hits: outcome.value.hits, partial: outcome.value.partial });
            setFailure(null);
          } else {
            setFailure(outcome.failure.message);
          }
        })
        .catch(() => undefined);
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [trimmed]);

  function go(href: string) {
    setOpen(false);
    setQuery("");
    router.push(href);
  }

  const hits = trimmed.length >= 2 && answer?.query === trimmed ? answer.hits : [];
  const searching = trimmed.length >= 2 && answer?.query !== trimmed && failure === null;
  const shownPages = pages.filter((page) => !trimmed || matches(page.label, trimmed));
  const shownActions = actions.filter((action) => !trimmed || matches(action.label, trimmed));

  return (
    <Command.Dialog
      open={open}
      onOpenChange={setOpen}
      label="Go to anything"
      shouldFilter={false}
      overlayClassName="fixed inset-0 z-40 bg-slate-900/40"
      contentClassName="fixed top-24 left-1/2 z-50 w-[min(640px,92vw)] -translate-x-1/2 rounded-lg border border-slate-200 bg-white shadow-2xl"
    >
      <Command.Input
        value={query}
        onValueChange={setQuery}
        placeholder="Search assets, invoices, customers, employees, or type a page…"
        aria-label="Search everything"
        className="h-12 w-full rounded-t-lg border-b border-slate-200 px-4 text-sm outline-none"
      />
      <Command.List className="max-h-[60vh] overflow-y-auto p-2">
        {searching ? <Command.Loading>Searching…</Command.Loading> : null}
        {failure ? (
          <p role="alert" className="px-3 py-2 text-sm text-red-800">
            {failure}
          </p>
        ) : null}
        {answer?.partial && answer.query === trimmed ? (
          <p role="status" className="px-3 py-2 text-xs text-amber-900">
            Some services did not answer; the results may be incomplete.
          </p>
        ) : null}
        <Command.Empty className="px-3 py-6 text-center text-sm text-slate-600">
          {trimmed.length < 2 ? "Type at least two characters to search." : "Nothing found."}
        </Command.Empty>
        {KIND_ORDER.map((kind) => {
          const ofKind = hits.filter((hit) => hit.kind === kind);
          if (ofKind.length === 0) return null;
          return (
            <Command.Group key={kind} heading={KIND_LABELS[kind]} className={groupClass}>
              {ofKind.map((hit) => (
                <Command.Item
                  key={`${hit.kind}-${hit.id}`}
                  value={`${hit.kind}-${hit.id}`}
                  onSelect={() => go(hit.href)}
                  className={itemClass}
                >
                  <span className="font-medium">{hit.title}</span>
                  <span className="truncate text-xs text-slate-600">{hit.detail}</span>
                </Command.Item>
              ))}
            </Command.Group>
          );
        })}
        {shownActions.length > 0 ? (
          <Command.Group heading="Actions" className={groupClass}>
            {shownActions.map((action) => (
              <Command.Item
                key={action.href}
                value={`action ${action.href}`}
                onSelect={() => go(action.href)}
                className={itemClass}
              >
                {action.label}
              </Command.Item>
            ))}
          </Command.Group>
        ) : null}
        {shownPages.length > 0 ? (
          <Command.Group heading="Pages" className={groupClass}>
            {shownPages.map((page) => (
              <Command.Item
                key={page.href}
                value={`page ${page.href}`}
                onSelect={() => go(page.href)}
                className={itemClass}
              >
                {page.label}
              </Command.Item>
            ))}
          </Command.Group>
        ) : null}
      </Command.List>
    </Command.Dialog>
  );
}

/** The header's visible way into the palette (Ctrl-K is the keyboard's). */
export function PaletteButton() {
  return (
    <button
      type="button"
      onClick={() => window.dispatchEvent(new Event("tb:open-palette"))}
      className="flex h-9 w-72 items-center justify-between rounded-md border border-slate-300 bg-white px-3 text-sm text-slate-600 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-blue-600"
    >
      <span>Search or jump to…</span>
      <kbd className="rounded border border-slate-300 px-1.5 text-xs text-slate-600">Ctrl K</kbd>
    </button>
  );
}
