"""Bad input is never a 5xx: every operation, sent ids beyond 64 bits, NUL characters, 1 MB
strings, NaN, Infinity and 1e400 as money, 100 000 levels of nesting and bodies over the limit,
answers a 4xx in the one error shape; a field's 422 names the field
(tb_platform.testing.bad_input)."""

from fastapi import FastAPI

from tb_platform.testing import TokenFactory
from tb_platform.testing.bad_input import sweep_bad_input

from .test_api_fuzz import invoices_in_every_state


async def test_bad_input_is_a_4xx_naming_the_field_never_a_5xx(
    app: FastAPI, tokens: TokenFactory
) -> None:
    run = await sweep_bad_input(app, tokens, seed=invoices_in_every_state)
    print(run)
    for kind in (
        "path.id 2**70",
        "query.id 2**70",
        "query.nul",
        "body.nul",
        "body.long",
        "body.number NaN",
        "body.number Infinity",
        "body.number 1e400",
        'body.number "1e400"',
        "body.number 1e-400",
        "body.number 400 digits",
        "body.integer 2**70",
        "body.deep",
        "body.too large",
        "body.stream",
    ):
        assert run.sent[kind] > 0, kind
