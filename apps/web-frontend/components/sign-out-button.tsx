"use client";

import { Button } from "@repo/ui";
import { signOut } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";

/** Ends the session (next-auth clears the cookie) and goes back to the login page. */
export function SignOutButton() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  return (
    <Button
      variant="secondary"
      size="sm"
      loading={pending}
      onClick={async () => {
        setPending(true);
        await signOut({ redirect: false });
        router.replace("/login?reason=signed_out");
        router.refresh();
      }}
    >
      Sign out
    </Button>
  );
}
