"""Case: the web app's enriched asset list (the BFF) against the asset service's own list.

As ``bench/bff_assets.py`` does, on the seeded register: one seeded employee is given a password
and the asset manager role through the employee service's API, signs in at the employee service
(the service's Bearer token) and through the web app's sign-in endpoint (its session cookie), then
both lists are loaded with autocannon:

* ``GET /api/v1/assets?limit=20`` on the asset service;
* ``GET /api/assets?limit=20`` on the web app: the session decrypted, then the page kept for this
  user while the assets' and employees' generations hold (one Redis MGET), as a user who opens the
  list again meets it; the first request composes it (the same page fetched, the owners named by
  one batched employee look-up).

For reference, with no target, both again with ``Cache-Control: no-cache``: the service reading
every page from the database, and the web app composing every answer (two service calls, whose
answers come from the service's cache).

Needs the web app in the stack (run.py starts it when this module exists, unless ``--no-web``).
"""

from __future__ import annotations

import httpx

from .cases import Bench, Case, Result, Target

LIMIT = 20
MIN_SHARE = 0.50  # the BFF keeps at least half the service's req/s
PASSWORD = "bench-password-0123456789"  # noqa: S105 (a throw-away database's login)


def _login(bench: Bench) -> dict[str, str]:
    employees = bench.services["employee-service"]
    employee_id = bench.facts["employee_ids"][0]
    headers = bench.headers("admin")
    with httpx.Client(base_url=employees, headers=headers, timeout=30) as client:
        answer = client.patch(f"/api/v1/employees/{employee_id}", json={"password": PASSWORD})
        answer.raise_for_status()
        email = str(answer.json()["email"])
        client.put(
            f"/api/v1/employees/{employee_id}/roles", json={"roles": ["asset_manager"]}
        ).raise_for_status()
    return {"email": email, "password": PASSWORD, "role": "asset_manager"}


def bff_list(bench: Bench) -> list[Result]:
    import bff_assets  # bench/bff_assets.py: its sign-in helpers (bench/ is on sys.path)

    web = bench.services.get("web-frontend")
    if web is None:
        raise RuntimeError("the web app is not running (run.py --no-web)")
    login = _login(bench)
    erp = {"web_url": web, "services": dict(bench.services)}
    token = bff_assets.service_token(erp, login)
    cookie = bff_assets.session_cookie(erp, login)
    service_url = f"{bench.services['asset-service']}/api/v1/assets?limit={LIMIT}"
    service = bench.load(service_url, headers={"authorization": f"Bearer {token}"})
    # The service's list as a cache miss (every page read from the database), for reference:
    # the BFF's own calls are cache hits, as a user's are.
    uncached = bench.load(
        service_url, headers={"authorization": f"Bearer {token}", "cache-control": "no-cache"}
    )
    bff = bench.load(f"{web}/api/assets?limit={LIMIT}", headers={"cookie": cookie})
    composing = bench.load(
        f"{web}/api/assets?limit={LIMIT}", headers={"cookie": cookie, "cache-control": "no-cache"}
    )
    share = bff.req_per_s / service.req_per_s if service.req_per_s else 0.0
    uncached_share = bff.req_per_s / uncached.req_per_s if uncached.req_per_s else 0.0
    composing_share = composing.req_per_s / service.req_per_s if service.req_per_s else 0.0
    return [
        Result.of_load(f"asset list ({LIMIT} rows), service token", service),
        Result.of_load(
            f"asset list ({LIMIT} rows), service token, no-cache",
            uncached,
            figures={"BFF / this": round(uncached_share, 3)},
        ),
        Result.of_load(
            f"BFF enriched asset list ({LIMIT} rows)",
            bff,
            figures={"share of service": round(share, 3)},
            targets=[Target("BFF / asset service req/s", share, MIN_SHARE, ">=")],
        ),
        Result.of_load(
            f"BFF enriched asset list ({LIMIT} rows), composed every time (no-cache)",
            composing,
            figures={"share of service": round(composing_share, 3)},
        ),
    ]


CASES = [Case("BFF enriched list", bff_list)]
