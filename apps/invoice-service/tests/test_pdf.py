"""The invoice PDF: a real PDF that carries the number, the customer and the total."""

import io

import httpx
import pypdf

from tb_platform.testing import TokenFactory

from .conftest import INVOICES, Factory, line


def _text(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 1
    return "\n".join(page.extract_text() for page in reader.pages)


async def test_an_issued_invoice_prints_its_number_customer_and_total(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    customer = await make.customer(
        name="Printable Customer Oy", billing_address="Mannerheimintie 1, Helsinki"
    )
    invoice = await make.issued(
        customer,
        lines=[
            line("3", "123.45", tax_rate="24", description="Printed widgets"),
            line("1", "10.00", description="Delivery"),
        ],
    )
    await make.pay(invoice["id"], "100.00")
    text = _text(await client.get(f"{INVOICES}/{invoice['id']}/pdf", headers=admin))

    assert invoice["number"] in text
    assert invoice["total"] in text
    assert "Printable Customer Oy" in text
    assert "Printed widgets" in text


async def test_a_draft_prints_as_draft(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    draft = await make.draft(lines=[line("2", "45.50", tax_rate="10")])
    text = _text(await client.get(f"{INVOICES}/{draft['id']}/pdf", headers=admin))
    assert "DRAFT" in text
    assert draft["total"] in text


async def test_a_pdf_copes_with_text_outside_latin_1(
    client: httpx.AsyncClient, admin: dict[str, str], make: Factory
) -> None:
    customer = await make.customer(name="Łódź Sp. z o.o. — 東京")
    invoice = await make.issued(
        customer, lines=[line("1", "5.00", description="Emoji 🚀 and “quotes” ✓")]
    )
    text = _text(await client.get(f"{INVOICES}/{invoice['id']}/pdf", headers=admin))
    assert invoice["number"] in text


async def test_an_employee_gets_the_pdf_of_their_own_invoice_only(
    client: httpx.AsyncClient, tokens: TokenFactory, make: Factory
) -> None:
    mine = await make.issued(employee_id=8801)
    theirs = await make.issued(employee_id=8802)
    me = tokens.headers("employee", employee_id=8801)
    assert mine["number"] in _text(await client.get(f"{INVOICES}/{mine['id']}/pdf", headers=me))
    assert (await client.get(f"{INVOICES}/{theirs['id']}/pdf", headers=me)).status_code == 404
