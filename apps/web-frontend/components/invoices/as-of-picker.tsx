"use client";

import { Button, Field } from "@repo/ui";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";

/** The report's day, kept in the URL (`?as_of=`) so that a report can be bookmarked. */
export function AsOfPicker({ asOf, today }: { asOf: string; today: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const [value, setValue] = useState(asOf);
  return (
    <form
      className="flex items-end gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        router.push(value && value !== today ? `${pathname}?as_of=${value}` : pathname);
      }}
    >
      <Field label="As of" type="date" value={value} onChange={(event) => setValue(event.target.value)} />
      <Button type="submit" variant="secondary">
        Show
      </Button>
      {asOf !== today ? (
        <Button
          variant="ghost"
          onClick={() => {
            setValue(today);
            router.push(pathname);
          }}
        >
          Today
        </Button>
      ) : null}
    </form>
  );
}
