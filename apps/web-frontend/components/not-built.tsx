import { EmptyState } from "@repo/ui";

/** An area the navigation already shows whose page is not built yet. */
export function NotBuiltYet({ title, what }: { title: string; what: string }) {
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">{title}</h1>
      <EmptyState title="Coming soon" description={what} />
    </div>
  );
}
