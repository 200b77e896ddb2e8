"use client";

import { cn } from "@repo/ui/cn";
import { useEffect, useId, useRef, useState } from "react";
import type { ApiResult } from "@/lib/client/api";

export interface ComboOption {
  id: number;
  name: string;
  /** A second line (currency, email…). */
  hint?: string;
}

interface ComboboxProps<T extends ComboOption> {
  label: string;
  value: T | null;
  onChange: (value: T | null) => void;
  /** Options matching the typed text (the BFF searches; at most a screenful). */
  search: (text: string, signal: AbortSignal) => Promise<ApiResult<T[]>>;
  placeholder?: string;
  error?: string | null;
  hint?: string;
  className?: string;
  id?: string;
  disabled?: boolean;
}

/**
 * A searchable picker (ARIA 1.2 combobox with a listbox): type to search, ↑/↓ to move, Enter to
 * pick, Escape to close; "Clear" empties it. The server searches — the list may be long.
 */
export function Combobox<T extends ComboOption>({
  label,
  value,
  onChange,
  search,
  placeholder,
  error,
  hint,
  className,
  id,
  disabled,
}: ComboboxProps<T>) {
  const generated = useId();
  const inputId = id ?? generated;
  const listId = `${inputId}-list`;
  const errorId = `${inputId}-error`;
  const hintId = `${inputId}-hint`;
  const [text, setText] = useState(value?.name ?? "");
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<T[]>([]);
  const [active, setActive] = useState(-1);
  const [status, setStatus] = useState<"idle" | "loading" | "failed">("idle");
  const [failure, setFailure] = useState<string | null>(null);
  const [query, setQuery] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  // Show the chosen value's name when it changes from outside (URL, loaded invoice).
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setText(value?.name ?? "");
  }

  useEffect(() => {
    if (query === null) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      search(query.trim(), controller.signal)
        .then((result) => {
          if (controller.signal.aborted) return;
          if (result.ok) {
            setOptions(result.value);
            setActive(result.value.length > 0 ? 0 : -1);
            setStatus("idle");
          } else {
            setFailure(result.failure.message);
            setStatus("failed");
          }
        })
        .catch(() => undefined);
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- search is a fresh closure each render
  }, [query]);

  function openWith(textNow: string) {
    setOpen(true);
    setStatus("loading");
    setQuery(textNow);
  }

  function pick(option: T) {
    onChange(option);
    setText(option.name);
    setOpen(false);
    setQuery(null);
  }

  function close() {
    setOpen(false);
    setQuery(null);
    setText(value?.name ?? "");
  }

  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  const activeId = open && active >= 0 && options[active] ? `${listId}-${options[active].id}` : undefined;

  return (
    <div className={cn("relative flex flex-col gap-1", className)}>
      <label htmlFor={inputId} className="text-sm font-medium text-slate-800">
        {label}
      </label>
      {hint ? (
        <p id={hintId} className="text-xs text-slate-600">
          {hint}
        </p>
      ) : null}
      <div className="flex gap-1">
        <input
          ref={inputRef}
          id={inputId}
          type="text"
          role="combobox"
          autoComplete="off"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={listId}
          aria-activedescendant={activeId}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          placeholder={placeholder}
          disabled={disabled}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            openWith(event.target.value);
          }}
          onFocus={() => {
            if (!open && !value) openWith(text);
          }}
          onBlur={() => {
            // Leaving the box without picking keeps the previous choice.
            setTimeout(() => {
              if (document.activeElement !== inputRef.current) close();
            }, 120);
          }}
          onKeyDown={(event) => {
            if (event.key === "ArrowDown") {
              event.preventDefault();
              if (!open) openWith(text);
              else setActive((index) => Math.min(options.length - 1, index + 1));
            } else if (event.key === "ArrowUp") {
              event.preventDefault();
              setActive((index) => Math.max(0, index - 1));
            } else if (event.key === "Enter" && open) {
              event.preventDefault();
              const option = options[active];
              if (option) pick(option);
            } else if (event.key === "Escape" && open) {
              // Close the list only, not the dialog around it.
              event.preventDefault();
              event.stopPropagation();
              close();
            }
          }}
          className={cn(
            "h-10 min-w-0 flex-1 rounded-md border bg-white px-3 text-sm text-slate-900",
            "focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-600",
            error ? "border-red-600" : "border-slate-300",
          )}
        />
        {value && !disabled ? (
          <button
            type="button"
            onClick={() => {
              onChange(null);
              setText("");
              inputRef.current?.focus();
            }}
            aria-label={`Clear ${label.toLowerCase()}`}
            className="h-10 rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-blue-600"
          >
            ×
          </button>
        ) : null}
      </div>
      <ul
        id={listId}
        role="listbox"
        aria-label={label}
        hidden={!open}
        className="absolute top-full z-30 mt-1 max-h-64 w-full min-w-56 overflow-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg"
      >
        {status === "loading" && options.length === 0 ? (
          <li role="presentation" className="px-3 py-2 text-slate-600">
            Searching…
          </li>
        ) : null}
        {status === "failed" ? (
          <li role="presentation" className="px-3 py-2 text-red-800">
            {failure}
          </li>
        ) : null}
        {status === "idle" && options.length === 0 ? (
          <li role="presentation" className="px-3 py-2 text-slate-600">
            No matches
          </li>
        ) : null}
        {options.map((option, index) => (
          <li
            key={option.id}
            id={`${listId}-${option.id}`}
            role="option"
            aria-selected={index === active}
            onMouseDown={(event) => {
              event.preventDefault();
              pick(option);
            }}
            onMouseEnter={() => setActive(index)}
            className={cn(
              "cursor-pointer px-3 py-2",
              index === active ? "bg-blue-50 text-blue-950" : "text-slate-900",
            )}
          >
            <span className="block">{option.name}</span>
            {option.hint ? <span className="block text-xs text-slate-600">{option.hint}</span> : null}
          </li>
        ))}
      </ul>
      {error ? (
        <p id={errorId} role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
