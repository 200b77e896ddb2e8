import { Card } from "@repo/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { ImportForm } from "@/components/assets/import-form";
import { Forbidden } from "@/components/page-errors";
import { canManage } from "@/lib/auth/roles";
import { requireSession } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Import assets" };

const COLUMNS: [string, string][] = [
  ["name", "required"],
  ["category_code", "required: a category's code, e.g. LAP"],
  ["purchase_date", "required: YYYY-MM-DD"],
  ["purchase_cost", "required: e.g. 1480.00"],
  ["asset_tag", "empty: the register numbers it (AST-000001, …)"],
  ["serial_number, location, notes", "optional"],
  ["currency", "optional, default EUR"],
  ["salvage_value, useful_life_months, depreciation_method, declining_rate", "optional: the category's defaults"],
  ["assigned_employee_id", "optional: the asset comes in assigned to that (current) employee"],
  ["id, status, book_value", "ignored (an export's columns), so an export can be edited and imported"],
];

export default async function ImportAssetsPage() {
  const session = await requireSession();
  if (!canManage(session.user.roles, "assets")) return <Forbidden />;
  return (
    <div className="flex flex-col gap-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/assets" className="text-blue-800 underline underline-offset-2">
          Assets
        </Link>{" "}
        / Import
      </nav>
      <h1 className="text-2xl font-semibold">Import assets from CSV</h1>
      <p className="max-w-3xl text-sm text-slate-700">
        Every row is checked first: either all rows are imported, or none is and each bad row is listed with its
        problem. The first line names the columns.
      </p>
      <ImportForm />
      <Card title="Columns">
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
          {COLUMNS.map(([name, meaning]) => (
            <div key={name} className="contents">
              <dt className="font-mono text-xs text-slate-900">{name}</dt>
              <dd className="text-slate-700">{meaning}</dd>
            </div>
          ))}
        </dl>
      </Card>
    </div>
  );
}
