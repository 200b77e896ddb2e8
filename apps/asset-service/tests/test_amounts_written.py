"""AssetPublic writes its amounts as plain Decimals (no call per amount on the list's hot path):
what it writes must still be, for every currency, exactly what tb_platform.money.format_money
writes — the text every other response uses ("1200.00" EUR, "120000" JPY, no "-0")."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from asset_service.schemas.asset import AssetPublic
from tb_platform.money import CURRENCIES, format_money

AMOUNT_FIELDS = AssetPublic._AMOUNTS
# A NUMERIC(14, 2) value as PostgreSQL gives it back: always two decimals, never -0.
STORED = st.decimals(
    min_value=Decimal("-999999999999.99"),
    max_value=Decimal("999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
).map(lambda d: d + Decimal("0.00"))
WHOLE = st.integers(min_value=-(10**9), max_value=10**9).map(lambda n: Decimal(n) + Decimal("0.00"))
CURRENCY = st.sampled_from(["EUR", "USD", "CHF", "JPY", "KRW", "CLP", *sorted(CURRENCIES)[:20]])
AT = dt.date(2026, 11, 30)


def _row(currency: str, amounts: dict[str, Decimal | None], disposed: bool) -> dict[str, object]:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return {
        "id": 1,
        "asset_tag": "AST-1",
        "name": "Laptop",
        "serial_number": None,
        "category_id": 1,
        "status": "disposed" if disposed else "in_stock",
        "location": None,
        "purchase_date": dt.date(2025, 1, 1),
        "currency": currency,
        "useful_life_months": 36,
        "depreciation_method": "straight_line",
        "declining_rate": None,
        "assigned_employee_id": None,
        "notes": None,
        "disposal_date": dt.date(2026, 6, 1) if disposed else None,
        "disposal_reason": "sold" if disposed else None,
        "created_by": "a",
        "updated_by": "a",
        "created_at": now,
        "updated_at": now,
        **amounts,
    }


@settings(max_examples=300, deadline=None)
@given(
    currency=CURRENCY,
    whole=st.booleans(),
    data=st.data(),
    disposed=st.booleans(),
)
def test_every_amount_is_written_as_format_money_writes_it(
    currency: str, whole: bool, data: st.DataObject, disposed: bool
) -> None:
    amount = WHOLE if whole else STORED
    amounts: dict[str, Decimal | None] = {
        "purchase_cost": data.draw(amount),
        "salvage_value": data.draw(amount),
        "accumulated_depreciation": data.draw(amount),
        "disposal_proceeds": data.draw(amount) if disposed else None,
        "book_value_at_disposal": data.draw(amount) if disposed else None,
    }
    asset = AssetPublic.model_validate(_row(currency, amounts, disposed), context={"at": AT})
    written = json.loads(asset.model_dump_json())
    values = asset.model_dump()
    for name in AMOUNT_FIELDS:
        if values[name] is None:
            assert written[name] is None
            continue
        assert written[name] == format_money(values[name], currency), (name, values[name])
    # The values themselves are the ones worked out (only their form may change).
    assert values["purchase_cost"] == amounts["purchase_cost"]
    if not disposed:
        assert (
            values["book_value"] == amounts["purchase_cost"] - amounts["accumulated_depreciation"]
        )  # type: ignore[operator]
    else:
        assert (
            values["gain_loss"] == amounts["disposal_proceeds"] - amounts["book_value_at_disposal"]
        )  # type: ignore[operator]


def test_a_yen_asset_has_no_decimals_and_a_euro_asset_two() -> None:
    amounts = {
        "purchase_cost": Decimal("120000.00"),
        "salvage_value": Decimal("0.00"),
        "accumulated_depreciation": Decimal("20000.00"),
    }
    none = {"disposal_proceeds": None, "book_value_at_disposal": None}
    yen = AssetPublic.model_validate(_row("JPY", {**amounts, **none}, False), context={"at": AT})
    assert json.loads(yen.model_dump_json())["book_value"] == "100000"
    assert json.loads(yen.model_dump_json())["salvage_value"] == "0"
    euro = AssetPublic.model_validate(_row("EUR", {**amounts, **none}, False), context={"at": AT})
    assert json.loads(euro.model_dump_json())["book_value"] == "100000.00"
