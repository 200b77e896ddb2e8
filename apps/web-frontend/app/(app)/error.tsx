"use client";

import { Button, ErrorState } from "@repo/ui";

/** Anything a page did not handle: a message and a way to retry, never a blank page. */
export default function AppError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <ErrorState
      message="This page failed to load. Try again; if it keeps failing, tell your administrator."
      action={
        <Button variant="secondary" size="sm" onClick={reset}>
          Try again
        </Button>
      }
    />
  );
}
