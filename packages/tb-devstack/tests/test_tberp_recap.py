"""tberp.py test repeats what failed at the bottom of its output (CI pages show only the end)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from tb_devstack.stack import find_repo_root


def _tberp() -> ModuleType:
    path = find_repo_root(Path(__file__).parent) / "tberp.py"
    spec = importlib.util.spec_from_file_location("tberp_under_test", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


PYTEST_FAILED = """\
tests/test_a.py ..F.                                                    [100%]
=================================== FAILURES ===================================
___________________________________ test_b ____________________________________
    def test_b():
>       assert 1 == 2
E       assert 1 == 2
tests/test_a.py:5: AssertionError
=========================== short test summary info ============================
FAILED tests/test_a.py::test_b - assert 1 == 2
ERROR tests/test_c.py::test_d - RuntimeError: no database
==================== 1 failed, 3 passed, 1 error in 0.31s =====================
"""

VITEST_FAILED = """\
 \x1b[32m\u2713\x1b[39m test/path.test.ts (24 tests) 288ms
 \x1b[31m\u276f\x1b[39m test/auth.test.ts (13 tests | 1 failed) 121ms
   \x1b[31m\u00d7\x1b[39m refuses a forged cookie 12ms
 FAIL  test/auth.test.ts > refuses a forged cookie
 \u276f test/auth.test.ts:41:7
"""

TURBO_FAILED = """\
@repo/web-frontend#test:  ERROR  command (/x/apps/web-frontend) /usr/bin/npm run test exited (1)
 Tasks:    24 successful, 25 total
Failed:    @repo/web-frontend#test
"""


def test_the_recap_holds_the_failed_tests_and_tasks_and_nothing_that_passed() -> None:
    tberp = _tberp()
    output = (PYTEST_FAILED + VITEST_FAILED + TURBO_FAILED).splitlines(keepends=True)
    recap = tberp.failure_recap(output)
    assert "FAILED tests/test_a.py::test_b - assert 1 == 2" in recap
    assert "ERROR tests/test_c.py::test_d - RuntimeError: no database" in recap
    assert any(
        line.endswith("1 failed, 3 passed, 1 error in 0.31s =====================")
        for line in recap
    )
    assert "   \u00d7 refuses a forged cookie 12ms" in recap
    assert " FAIL  test/auth.test.ts > refuses a forged cookie" in recap
    assert " \u276f test/auth.test.ts:41:7" in recap
    assert "Failed:    @repo/web-frontend#test" in recap
    joined = "\n".join(recap)
    assert "path.test.ts" not in joined  # a passed file
    assert "assert 1 == 2\ntests/test_a.py:5" not in joined  # the long failure report stays above
    assert "\x1b[" not in joined  # colours stripped


def test_a_passing_run_has_nothing_to_repeat() -> None:
    passing = "tests/test_a.py ....  [100%]\n============ 4 passed in 0.2s ============\n"
    assert _tberp().failure_recap(passing.splitlines(keepends=True)) == []
