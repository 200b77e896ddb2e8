import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import {
  Button,
  DataTable,
  Dialog,
  ErrorState,
  Field,
  Loading,
  Notice,
  SelectField,
  TextAreaField,
  type ColumnDef,
} from "../src";

describe("Field", () => {
  it("names the input by its label and reads the error out with it", () => {
    const html = renderToStaticMarkup(
      <Field id="email" label="Email" error="Invalid email or password" hint="Your work address" />,
    );
    expect(html).toContain('<label for="email"');
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('aria-describedby="email-hint email-error"');
    expect(html).toContain('id="email-error" role="alert"');
  });

  it("is not marked invalid without an error", () => {
    const html = renderToStaticMarkup(<Field id="q" label="Search" />);
    expect(html).not.toContain("aria-invalid");
    expect(html).not.toContain("aria-describedby");
  });
});

describe("Button", () => {
  it("never submits by accident and is busy while loading", () => {
    const html = renderToStaticMarkup(<Button loading>Save</Button>);
    expect(html).toContain('type="button"');
    expect(html).toContain("disabled");
    expect(html).toContain('aria-busy="true"');
  });
});

describe("states", () => {
  it("announces errors with the service's code and loading as a status", () => {
    expect(renderToStaticMarkup(<ErrorState message="Asset 9 not found" code="not_found" />)).toMatch(
      /role="alert".*Asset 9 not found.*Code: not_found/,
    );
    expect(renderToStaticMarkup(<Loading />)).toContain('role="status"');
  });
});

type Row = { id: number; name: string };
const columns: ColumnDef<Row>[] = [
  { accessorKey: "name", header: "Name", enableSorting: true },
  { accessorKey: "id", header: "Id", enableSorting: false },
];

describe("DataTable", () => {
  const noop = () => undefined;
  const base = {
    caption: "Assets",
    columns,
    pageSize: 2,
    onPageChange: noop,
    onSortingChange: noop,
  };

  it("renders the page it is given, the sort it is told and the position in the whole", () => {
    const html = renderToStaticMarkup(
      <DataTable
        {...base}
        data={[
          { id: 3, name: "Laptop" },
          { id: 4, name: "Phone" },
        ]}
        total={5}
        pageIndex={1}
        sorting={[{ id: "name", desc: true }]}
      />,
    );
    expect(html).toContain('<caption class="sr-only">Assets</caption>');
    expect(html).toContain('aria-sort="descending"');
    expect(html).toContain("Laptop");
    expect(html).toContain("Rows 3–4 of 5");
    expect(html).toContain("Page 2 of 3");
  });

  it("says 'about' when the service estimated the total of a very long list", () => {
    const html = renderToStaticMarkup(
      <DataTable
        {...base}
        data={[{ id: 1, name: "Laptop" }]}
        total={1_000_412}
        totalIsEstimate
        pageIndex={0}
        sorting={[]}
      />,
    );
    expect(html).toContain("Rows 1–2 of about 1,000,412");
  });

  it("shows the empty state when the page has no rows and the error instead of rows", () => {
    const empty = renderToStaticMarkup(
      <DataTable {...base} data={[]} total={0} pageIndex={0} sorting={[]} empty={<p>No assets</p>} />,
    );
    expect(empty).toContain("No assets");
    const failed = renderToStaticMarkup(
      <DataTable
        {...base}
        data={[{ id: 1, name: "Hidden" }]}
        total={1}
        pageIndex={0}
        sorting={[]}
        error={{ message: "Asset service unavailable", code: "service_unavailable" }}
      />,
    );
    expect(failed).toContain("Asset service unavailable");
    expect(failed).not.toContain("Hidden");
  });

  it("marks the selected rows, labels each checkbox by its row and hides the columns it is told", () => {
    const html = renderToStaticMarkup(
      <DataTable
        {...base}
        data={[
          { id: 3, name: "Laptop" },
          { id: 4, name: "Phone" },
        ]}
        getRowId={(row) => String(row.id)}
        total={2}
        pageIndex={0}
        sorting={[]}
        rowSelection={{ "4": true }}
        onRowSelectionChange={noop}
        rowLabel={(row) => row.name}
        columnVisibility={{ id: false }}
      />,
    );
    expect(html).toContain('aria-label="Select every row on this page"');
    expect(html).toMatch(/aria-label="Select Laptop"(?![^>]*checked)/);
    expect(html).toMatch(/aria-label="Select Phone"[^>]*checked/);
    expect(html).not.toContain(">Id<");
  });

  it("has no checkboxes unless the caller keeps a selection", () => {
    const html = renderToStaticMarkup(
      <DataTable {...base} data={[{ id: 3, name: "Laptop" }]} total={1} pageIndex={0} sorting={[]} />,
    );
    expect(html).not.toContain('type="checkbox"');
    expect(html).toContain(">Id<");
  });
});

describe("form parts and notices", () => {
  it("labels selects and text areas and reads their errors out", () => {
    const select = renderToStaticMarkup(
      <SelectField id="status" label="Status" error="Pick a status">
        <option value="">All</option>
      </SelectField>,
    );
    expect(select).toContain('<label for="status"');
    expect(select).toContain('aria-describedby="status-error"');
    const area = renderToStaticMarkup(<TextAreaField id="note" label="Note" hint="Why" />);
    expect(area).toContain('aria-describedby="note-hint"');
    expect(area).not.toContain("aria-invalid");
  });

  it("announces errors as alerts and the rest as status", () => {
    expect(renderToStaticMarkup(<Notice tone="error">Refused</Notice>)).toContain('role="alert"');
    expect(renderToStaticMarkup(<Notice tone="success">Saved</Notice>)).toContain('role="status"');
  });

  it("renders a closed dialog without its content", () => {
    const html = renderToStaticMarkup(
      <Dialog open={false} onClose={() => undefined} title="Void invoice">
        <p>Secret body</p>
      </Dialog>,
    );
    expect(html).toContain("<dialog");
    expect(html).not.toContain("Secret body");
  });
});
