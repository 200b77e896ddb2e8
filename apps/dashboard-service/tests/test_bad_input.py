"""Bad input is never a 5xx: every operation, sent ids beyond 64 bits, NUL characters, long
text in its parameters and bodies over the limit, answers a 4xx in the one error shape; a
parameter's 422 names it (tb_platform.testing.bad_input)."""

from fastapi import FastAPI

from tb_platform.testing import TokenFactory
from tb_platform.testing.bad_input import sweep_bad_input


async def test_bad_input_is_a_4xx_naming_the_field_never_a_5xx(
    app: FastAPI, tokens: TokenFactory
) -> None:
    run = await sweep_bad_input(app, tokens)
    print(run)
    for kind in ("path.id 2**70", "query.nul", "query.long"):
        assert run.sent[kind] > 0, kind
