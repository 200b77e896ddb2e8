import { EmptyState } from "@repo/ui";
import Link from "next/link";

export default function NotFound() {
  return (
    <main id="main" className="flex min-h-screen items-center justify-center">
      <EmptyState
        title="Page not found"
        description="The page you asked for does not exist."
        action={
          <Link href="/" className="text-sm text-blue-700 underline">
            Go to your start page
          </Link>
        }
      />
    </main>
  );
}
