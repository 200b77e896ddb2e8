"""The invoice as a PDF (fpdf2, built-in Helvetica, no network and no font files).

The built-in fonts only know latin-1: other characters are transliterated where there is an
obvious equivalent (€ → EUR, typographic dashes and quotes) and replaced by "?" otherwise.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import cast

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from tb_platform.money import format_money

from ..core.config import InvoiceSettings
from ..models import Invoice, InvoiceStatus
from .invoices import tax_by_rate

_TRANSLITERATE = str.maketrans(
    {
        "\u20ac": "EUR",  # euro sign
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": ",",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2026": "...",
        "\u2022": "*",  # bullet
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2122": "(TM)",
        "\u200b": "",  # zero-width space
        "\t": " ",
    }
)


def latin1(text: object) -> str:
    """``text`` in characters the built-in PDF fonts can draw."""
    value = str(text).translate(_TRANSLITERATE)
    value = "".join(ch for ch in value if ch == "\n" or ch >= " ")  # no control characters
    return value.encode("latin-1", errors="replace").decode("latin-1")


def _amount(amount: Decimal, currency: str) -> str:
    """With the currency's decimals and thousands separators: 1,234.50 (EUR), 1,235 (JPY)."""
    return format_money(amount, currency, grouping=True)


def _money(amount: Decimal, currency: str) -> str:
    return f"{_amount(amount, currency)} {currency}"


class _InvoicePDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._footer_text = footer_text
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 15, 15)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("Helvetica", size=8)
        self.set_text_color(110)
        self.cell(0, 5, latin1(f"{self._footer_text} - page {self.page_no()}/{{nb}}"), align="C")
        self.set_text_color(0)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", style="B", size=11)
    pdf.cell(0, 7, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=9)


_ROW_HEIGHT = 5


def _wrapped(pdf: FPDF, text: str, width: float) -> list[str]:
    """``text`` as the lines it takes in a column ``width`` wide (most cells take one: measured,
    not laid out)."""
    if "\n" not in text and pdf.get_string_width(text) <= width - 2 * pdf.c_margin:
        return [text]
    # multi_cell's return type is the union of every ``output`` choice; LINES gives list[str].
    lines = cast(
        list[str],
        pdf.multi_cell(width, _ROW_HEIGHT, text, dry_run=True, output=MethodReturnValue.LINES),
    )
    return lines or [""]


def _table(
    pdf: FPDF,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[int],
    align: str,
) -> None:
    """A table across the page (``widths`` in proportion), a rule under each row, the header
    repeated on a new page; long text wraps within its column.

    Drawn cell by cell rather than with ``FPDF.table()``, which lays every cell out as a
    multi_cell twice and took most of an invoice's rendering time (issue 12).
    """
    scale = pdf.epw / sum(widths)
    columns = [width * scale for width in widths]
    aligns = ["L" if a == "L" else "R" for a in align]

    def draw(values: Sequence[str], *, bold: bool) -> None:
        pdf.set_font("Helvetica", style="B" if bold else "", size=8.5)
        cells = [
            _wrapped(pdf, latin1(text), width) for text, width in zip(values, columns, strict=True)
        ]
        height = _ROW_HEIGHT * max(len(lines) for lines in cells)
        if not bold and pdf.will_page_break(height):
            pdf.add_page()
            draw(header, bold=True)
            pdf.set_font("Helvetica", size=8.5)
        top = pdf.get_y()
        # Where cell() would put the baseline, without cell()'s layout machinery per cell.
        baseline = top + _ROW_HEIGHT / 2 + 0.3 * pdf.font_size
        x = pdf.l_margin
        for lines, width, cell_align in zip(cells, columns, aligns, strict=True):
            for index, text in enumerate(lines):
                if not text:
                    continue
                left = x + pdf.c_margin
                if cell_align == "R":
                    left = x + width - pdf.c_margin - pdf.get_string_width(text)
                pdf.text(left, baseline + index * _ROW_HEIGHT, text)
            x += width
        pdf.set_xy(pdf.l_margin, top + height)
        pdf.line(pdf.l_margin, top + height, pdf.l_margin + pdf.epw, top + height)

    draw(header, bold=True)
    for values in rows:
        draw(values, bold=False)
    pdf.set_font("Helvetica", size=9)


def _pair(pdf: FPDF, label: str, value: str, *, bold: bool = False) -> None:
    pdf.set_x(pdf.w - pdf.r_margin - 90)
    pdf.set_font("Helvetica", style="B" if bold else "", size=10 if bold else 9)
    pdf.cell(50, 6, latin1(label))
    pdf.cell(40, 6, latin1(value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_invoice(invoice: Invoice, settings: InvoiceSettings) -> bytes:
    """The invoice with everything loaded (customer, lines, payments, credit notes) → PDF bytes."""
    currency = invoice.currency
    title = invoice.number or "DRAFT"
    pdf = _InvoicePDF(footer_text=f"{settings.company_name} - invoice {title}")
    pdf.set_title(latin1(f"Invoice {title}"))
    pdf.set_author(latin1(settings.company_name))
    pdf.set_creator("TB ERP invoice-service")
    pdf.add_page()

    # Company and title.
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.cell(0, 8, latin1(settings.company_name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 5, latin1(settings.company_address), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(
        0, 5, latin1(f"Tax ID: {settings.company_tax_id}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(4)
    pdf.set_font("Helvetica", style="B", size=14)
    label = "INVOICE" if invoice.status != InvoiceStatus.VOID else "INVOICE (VOID)"
    pdf.cell(0, 8, latin1(f"{label} {title}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # Dates and customer, side by side.
    top = pdf.get_y() + 2
    pdf.set_y(top)
    pdf.set_font("Helvetica", size=9)
    for name, value in (
        ("Issue date", invoice.issue_date.isoformat()),
        ("Due date", invoice.due_date.isoformat()),
        ("Currency", currency),
        ("Status", invoice.status.value.replace("_", " ")),
    ):
        pdf.cell(25, 5, latin1(name))
        pdf.cell(50, 5, latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    left_bottom = pdf.get_y()
    customer = invoice.customer
    pdf.set_xy(110, top)
    pdf.set_font("Helvetica", style="B", size=9)
    pdf.cell(0, 5, "Bill to", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=9)
    bill_to = [customer.name] if customer else []
    if customer and customer.billing_address:
        bill_to.extend(customer.billing_address.splitlines())
    if customer and customer.tax_id:
        bill_to.append(f"Tax ID: {customer.tax_id}")
    if customer and customer.email:
        bill_to.append(customer.email)
    pdf.multi_cell(85, 5, latin1("\n".join(bill_to)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 4)

    _heading(pdf, "Lines")
    _table(
        pdf,
        ["#", "Description", "Qty", "Unit price", "Disc. %", "Tax %", "Net", "Tax", "Total"],
        [
            [
                str(line.position),
                line.description,
                f"{line.quantity.normalize():f}",
                _amount(line.unit_price, currency),
                f"{line.discount_percent}",
                f"{line.tax_rate}",
                _amount(line.net_amount, currency),
                _amount(line.tax_amount, currency),
                _amount(line.total, currency),
            ]
            for line in invoice.lines
        ],
        widths=[7, 55, 14, 20, 13, 12, 20, 19, 20],
        align="LLRRRRRRR",
    )

    _heading(pdf, "Tax per rate")
    _table(
        pdf,
        ["Rate", "Taxable amount", "Tax"],
        [
            [f"{rate} %", _money(taxable, currency), _money(tax, currency)]
            for rate, (taxable, tax) in tax_by_rate(invoice.lines).items()
        ],
        widths=[30, 50, 50],
        align="RRR",
    )

    pdf.ln(3)
    _pair(pdf, "Subtotal", _money(invoice.subtotal, currency))
    _pair(pdf, "Tax", _money(invoice.tax_total, currency))
    _pair(pdf, "Total", _money(invoice.total, currency), bold=True)
    if invoice.credited_total:
        _pair(pdf, "Credited", _money(-invoice.credited_total, currency))
    _pair(pdf, "Paid", _money(-invoice.amount_paid, currency))
    _pair(pdf, "Balance due", _money(invoice.balance_due, currency), bold=True)

    if invoice.payments:
        _heading(pdf, "Payments")
        _table(
            pdf,
            ["Date", "Method", "Reference", "Amount"],
            [
                [
                    payment.paid_at.date().isoformat(),
                    payment.method.value.replace("_", " "),
                    payment.reference or "",
                    _money(payment.amount, currency),
                ]
                for payment in invoice.payments
            ],
            widths=[30, 35, 75, 40],
            align="LLLR",
        )
    if invoice.credit_notes:
        _heading(pdf, "Credit notes")
        _table(
            pdf,
            ["Number", "Date", "Reason", "Total"],
            [
                [
                    note.number,
                    note.issue_date.isoformat(),
                    note.reason,
                    _money(note.total, currency),
                ]
                for note in invoice.credit_notes
            ],
            widths=[35, 25, 80, 40],
            align="LLLR",
        )
    if invoice.notes:
        _heading(pdf, "Notes")
        pdf.multi_cell(0, 5, latin1(invoice.notes), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if invoice.status == InvoiceStatus.VOID and invoice.void_reason:
        _heading(pdf, "Voided")
        pdf.multi_cell(0, 5, latin1(invoice.void_reason), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
