"""Send every operation of a service the input that must never give a 5xx, and check each answer.

For every operation of the app's OpenAPI document the sweep sends, as an admin (linked to the
seed's employee, so that "yourself" routes pass their checks):

* each id in a path or query parameter (``{asset_id}``, ``?ids=1&ids=2``, ``?ids=1,2``): 0,
  -1, 2**63, 2**70 and a 23-digit number — a 422 naming the parameter in ``loc``; and the
  largest id its type accepts (well-formed, absent): any 4xx but never a 5xx; any other integer
  parameter (``offset``): 2**63, 2**70 and 23 digits;
* each text path or query parameter: a NUL character and 50 000 characters — a 422 naming it;
* each field of a JSON body, nested ones included (``lines.0.unit_price``): text with a NUL
  character or of 1 000 000 characters; for numbers ``NaN``, ``Infinity``, ``-Infinity``,
  ``1e400``, ``"1e400"``, ``1e-400`` and 400 digits; for integers 2**63 and 2**70 (and 0 and -1
  for ids) — a 422 naming the field;
* the body as a whole: 100 000 levels of ``[``, a ``Content-Length`` over the route's limit,
  and a stream without a length that would go on for 50 MB — a 422, a 413 and a 413 read no
  further than the limit;
* a multipart upload: a file with NUL bytes (4xx), and the same two oversized bodies.

Every answer must be a 4xx in the one error shape (``{"detail", "code"}``); a field's 422 must
name the field. Rows the requests address come from a seed, as in :mod:`tb_platform.testing.fuzz`
(whose :class:`FuzzSeed` it takes: ``path_values`` also fill body fields of the same name). The
sweep runs inside one rolled-back transaction. A service's test::

    async def test_bad_input_is_a_4xx_naming_the_field(app, tokens) -> None:
        run = await sweep_bad_input(app, tokens, seed=some_rows)
        assert run.sent["body.nul"] > 0
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import AsyncIterable, AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import FastAPI

from ..limits import body_limit_of
from .fuzz import BASE_URL, FuzzSeed, Seed
from .harness import TokenFactory, rolled_back

__all__ = ["SweepRun", "sweep_bad_input"]

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# Ids every integer parameter must refuse by validation (never reach the database).
BAD_IDS: tuple[tuple[str, str], ...] = (
    ("zero", "0"),
    ("negative", "-1"),
    ("int64+1", str(2**63)),
    ("2**70", str(2**70)),
    ("23 digits", "9" * 23),
)
# Numbers JSON allows in form (or Python's parser accepts) that no amount or quantity can be.
# Each is written into the body as it stands: a literal, or (quoted) text.
BAD_NUMBERS: tuple[tuple[str, str], ...] = (
    ("NaN", "NaN"),
    ("Infinity", "Infinity"),
    ("-Infinity", "-Infinity"),
    ("1e400", "1e400"),
    ('"1e400"', '"1e400"'),
    ("1e-400", "1e-400"),
    ("400 digits", "9" * 400),
    ("400 digits.5", "9" * 400 + ".5"),
)
BAD_INTEGERS: tuple[tuple[str, str], ...] = (
    ("int64+1", str(2**63)),
    ("2**70", str(2**70)),
    ("23 digits", "9" * 23),
)
BAD_ID_FIELDS: tuple[tuple[str, str], ...] = (("zero", "0"), ("negative", "-1"))
NUL_TEXT = "bad\x00input"
LONG_BODY_TEXT = 1_000_000
# httpx refuses URLs over 64 KiB (and so do most servers).
LONG_QUERY_TEXT = 50_000
DEEP = 100_000
STREAM_TOTAL = 50 * 1024 * 1024
STREAM_CHUNK = 64 * 1024
_BOUNDARY = "bad-input"
_UPLOAD_HEAD = (
    f"--{_BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="file"; filename="rows.csv"\r\n'
    "Content-Type: text/csv\r\n\r\n"
).encode()


@dataclass
class SweepRun:
    """What the sweep sent (per kind of bad input) and every answer that broke the rules."""

    sent: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    operations: int = 0

    def __str__(self) -> str:
        kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(self.sent.items()))
        spread = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        total = sum(self.sent.values())
        return f"{total} requests to {self.operations} operations ({kinds}); statuses {spread}"


class _Raw:
    """A piece of JSON written into a body exactly as given (``NaN``, ``1e400``)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _dump(value: Any) -> bytes:
    """``value`` as JSON text, each :class:`_Raw` written as it stands."""
    raws: list[str] = []

    def marker(item: Any) -> Any:
        if isinstance(item, _Raw):
            raws.append(item.text)
            return f"\x01raw{len(raws) - 1}\x01"
        raise TypeError(f"cannot write {type(item)!r} as JSON")

    text = json.dumps(value, default=marker)
    for number, raw in enumerate(raws):
        text = text.replace(f'"\\u0001raw{number}\\u0001"', raw)
    return text.encode()


class _Schemas:
    """Walks the JSON Schemas of one OpenAPI document: example values and the leaves of a body."""

    def __init__(self, document: Mapping[str, Any], known: Mapping[str, Sequence[Any]]) -> None:
        self.document = document
        self.known = known

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        seen = 0
        while "$ref" in schema and seen < 50:
            node: Any = self.document
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            schema = node
            seen += 1
        return schema

    def choice(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        """The schema itself, or the first alternative of a union that is not ``null``."""
        schema = self.resolve(schema)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [self.resolve(option) for option in schema[key]]
                typed = [option for option in options if option.get("type") != "null"]
                # A money or decimal input is "a number, or decimal text": a number it is.
                numeric = [option for option in typed if option.get("type") == "number"]
                return self.choice((numeric or typed or options)[0])
        if "allOf" in schema and len(schema["allOf"]) == 1:
            return self.choice(schema["allOf"][0])
        return schema

    def kind(self, schema: Mapping[str, Any]) -> str:
        chosen = self.choice(schema)
        if "enum" in chosen or "const" in chosen:
            return "enum"
        kind = chosen.get("type")
        return kind if isinstance(kind, str) else "any"

    def example(self, schema: Mapping[str, Any], name: str = "", depth: int = 0) -> Any:
        """A plausible value for ``schema`` (what a well-meaning client would send)."""
        chosen = self.choice(schema)
        if self.known.get(name):
            return self.known[name][0]
        if "const" in chosen:
            return chosen["const"]
        if chosen.get("enum"):
            return chosen["enum"][0]
        if "default" in chosen and chosen["default"] is not None:
            return chosen["default"]
        kind = chosen.get("type")
        if kind == "object":
            if depth > 6:
                return {}
            properties = chosen.get("properties", {})
            return {
                key: self.example(properties[key], key, depth + 1)
                for key in chosen.get("required", [])
                if key in properties
            }
        if kind == "array":
            count = int(chosen.get("minItems", 0))
            return [self.example(chosen.get("items", {}), name, depth + 1) for _ in range(count)]
        if kind == "integer":
            return max(1, int(chosen.get("minimum", 1)))
        if kind == "number":
            return 1
        if kind == "boolean":
            return False
        if kind == "string":
            return _text_example(chosen, name)
        return None

    def leaves(
        self, schema: Mapping[str, Any], path: tuple[str | int, ...] = (), depth: int = 0
    ) -> Iterator[tuple[tuple[str | int, ...], Mapping[str, Any], str]]:
        """Every field of a body: its path (list items as index 0), schema and kind."""
        chosen = self.choice(schema)
        kind = self.kind(chosen)
        if kind == "object" and depth < 6:
            for key, sub in chosen.get("properties", {}).items():
                yield from self.leaves(sub, (*path, key), depth + 1)
            return
        if kind == "array" and depth < 6:
            items = self.choice(chosen.get("items", {}))
            if self.kind(items) in ("object", "array"):
                yield from self.leaves(items, (*path, 0), depth + 1)
                return
        if path:
            yield path, chosen, kind


def _text_example(schema: Mapping[str, Any], name: str) -> str:
    formats = {
        "email": "bad-input@tb-erp.test",
        "date": "2026-01-15",
        "date-time": "2026-01-15T10:00:00Z",
        "uuid": "00000000-0000-4000-8000-000000000000",
    }
    if schema.get("format") in formats:
        return formats[schema["format"]]
    if name == "currency":
        return "EUR"
    return "x" * max(1, int(schema.get("minLength", 1)))


def _with(body: Any, path: Sequence[str | int], value: Any, schemas: _Schemas, root: Any) -> Any:
    """A copy of ``body`` with ``value`` at ``path`` (objects and list items made on the way)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        items = list(body) if isinstance(body, list) else []
        item_schema = schemas.choice(root).get("items", {})
        if not items:
            items = [schemas.example(item_schema)]
        items[0] = _with(items[0], rest, value, schemas, item_schema)
        return items
    current = dict(body) if isinstance(body, dict) else {}
    properties = schemas.choice(root).get("properties", {})
    sub_schema = properties.get(head, {})
    current[head] = _with(
        current.get(head, schemas.example(sub_schema, head)), rest, value, schemas, sub_schema
    )
    return current


def _names_field(answer: Any, loc: Sequence[str | int]) -> bool:
    """Whether a 422 body lists an error whose ``loc`` starts with ``loc``."""
    detail = answer.get("detail") if isinstance(answer, dict) else None
    if not isinstance(detail, list):
        return False
    wanted = list(loc)
    return any(
        isinstance(error, dict) and list(error.get("loc", []))[: len(wanted)] == wanted
        for error in detail
    )


def _error_shaped(response: httpx.Response) -> Any:
    try:
        answer = response.json()
    except ValueError:
        return None
    if isinstance(answer, dict) and "detail" in answer and isinstance(answer.get("code"), str):
        return answer
    return None


@dataclass
class _Operation:
    method: str
    path: str
    spec: Mapping[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def parameters(self, where: str) -> list[Mapping[str, Any]]:
        return [p for p in self.spec.get("parameters", []) if p.get("in") == where]

    def body_schema(self, media: str) -> Mapping[str, Any] | None:
        content = self.spec.get("requestBody", {}).get("content", {})
        chosen = content.get(media)
        return chosen.get("schema", {}) if isinstance(chosen, dict) else None


class _Sweep:
    def __init__(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        headers: dict[str, str],
        seed: FuzzSeed,
        run: SweepRun,
    ) -> None:
        self.app = app
        self.client = client
        self.headers = headers
        self.seed = seed
        self.run = run
        self.document = app.openapi()
        self.schemas = _Schemas(self.document, seed.path_values)

    def operations(self) -> Iterator[_Operation]:
        for path, item in self.document.get("paths", {}).items():
            for method in HTTP_METHODS:
                if method in item:
                    yield _Operation(method, path, item[method])

    # -- building requests -----------------------------------------------------------------

    def _path_values(self, operation: _Operation) -> dict[str, str]:
        values = {}
        for parameter in operation.parameters("path"):
            name = parameter["name"]
            values[name] = str(self.schemas.example(parameter.get("schema", {}), name))
        return values

    def _query(self, operation: _Operation) -> list[tuple[str, str]]:
        """The required query parameters, each with a plausible value."""
        query = []
        for parameter in operation.parameters("query"):
            if parameter.get("required"):
                value = self.schemas.example(parameter.get("schema", {}), parameter["name"])
                for item in value if isinstance(value, list) else [value]:
                    query.append((parameter["name"], _as_query_text(item)))
        return query

    def _url(
        self,
        operation: _Operation,
        path_values: Mapping[str, str],
        query: Sequence[tuple[str, str]],
    ) -> str:
        url = operation.path
        for name, value in path_values.items():
            url = url.replace("{" + name + "}", quote(value, safe=""))
        if query:
            url += "?" + "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)
        return url

    def _base_body(self, operation: _Operation) -> tuple[bytes, str] | None:
        """A plausible body of the operation (JSON, or a small CSV upload), or ``None``."""
        schema = operation.body_schema("application/json")
        if schema is not None:
            return _dump(self.schemas.example(schema)), "application/json"
        if operation.body_schema("multipart/form-data") is not None:
            return b"", "multipart/form-data"
        return None

    async def send(
        self,
        operation: _Operation,
        kind: str,
        *,
        path_values: Mapping[str, str] | None = None,
        query: Sequence[tuple[str, str]] | None = None,
        content: bytes | AsyncIterable[bytes] | None = None,
        content_type: str | None = None,
        files: Mapping[str, tuple[str, bytes]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        url = self._url(
            operation,
            self._path_values(operation) if path_values is None else path_values,
            self._query(operation) if query is None else query,
        )
        sent_headers = {**self.headers, **(headers or {})}
        if content_type is not None:
            sent_headers["Content-Type"] = content_type
        request = self.client.build_request(
            operation.method.upper(), url, headers=sent_headers, content=content, files=files
        )
        response = await self.client.send(request)
        self.run.sent[kind] += 1
        self.run.statuses[response.status_code] += 1
        return response

    # -- checking answers ------------------------------------------------------------------

    def fail(self, operation: _Operation, kind: str, what: str, response: httpx.Response) -> None:
        self.run.failures.append(
            f"{operation.label} [{kind}] {what}: {response.status_code} {response.text[:300]}"
        )

    def expect_4xx(self, operation: _Operation, kind: str, response: httpx.Response) -> Any:
        answer = _error_shaped(response)
        if not 400 <= response.status_code < 500:
            self.fail(operation, kind, "expected a 4xx", response)
        elif answer is None:
            self.fail(operation, kind, "not in the error shape", response)
        return answer

    def expect_named(
        self,
        operation: _Operation,
        kind: str,
        response: httpx.Response,
        loc: Sequence[str | int],
        content: bytes = b"",
    ) -> None:
        limit = body_limit_of(self.app, operation.method.upper(), operation.path)
        if len(content) > limit:
            # A route that takes less than the bad input's body refuses it by its size.
            self.expect_too_large(operation, kind, response, limit)
            return
        answer = self.expect_4xx(operation, kind, response)
        if answer is None or not 400 <= response.status_code < 500:
            return
        if response.status_code != 422 or not _names_field(answer, loc):
            where = ".".join(str(part) for part in loc)
            self.fail(operation, kind, f"expected a 422 naming {where}", response)

    def expect_too_large(
        self, operation: _Operation, kind: str, response: httpx.Response, limit: int
    ) -> None:
        answer = self.expect_4xx(operation, kind, response)
        if answer is not None and (
            response.status_code != 413 or answer.get("code") != ("payload_too_large")
        ):
            self.fail(
                operation, kind, f"expected a 413 payload_too_large (limit {limit})", response
            )

    # -- the kinds of bad input ------------------------------------------------------------

    async def parameters(self, operation: _Operation, where: str) -> None:
        for parameter in operation.parameters(where):
            name = parameter["name"]
            schema = self.schemas.choice(parameter.get("schema", {}))
            kind = self.schemas.kind(schema)
            listed = kind == "array"
            if listed:
                schema = self.schemas.choice(schema.get("items", {}))
                kind = self.schemas.kind(schema)
            loc: list[str | int] = [where, name, 0] if listed else [where, name]
            values: list[tuple[str, str]] = []
            if kind == "integer" and not _names_an_id(name):
                # A count or an offset: 0 is fine, a number beyond 64 bits is not.
                values = [(f"{where}.integer {label}", text) for label, text in BAD_INTEGERS]
            elif kind == "integer":
                values = [(f"{where}.id {label}", text) for label, text in BAD_IDS]
                if "maximum" in schema:
                    # The largest id the type takes: well-formed, absent; a 4xx, never a 5xx.
                    top = str(int(schema["maximum"]))
                    kind_label = f"{where}.id max"
                    response = await self.send(
                        operation, kind_label, **self._at(operation, where, name, top)
                    )
                    if response.status_code >= 500:
                        self.expect_4xx(operation, f"{kind_label} {name}", response)
            elif kind == "number":
                values = [(f"{where}.number {label}", text) for label, text in BAD_NUMBERS]
            elif kind in ("string", "enum", "any"):
                values = [(f"{where}.nul", NUL_TEXT), (f"{where}.long", "x" * LONG_QUERY_TEXT)]
                if name == "ids" or name.endswith("_ids"):
                    # Ids as text (``?ids=3,7``): each bad id in a list of good ones.
                    values += [(f"{where}.id {label}", f"1,{text}") for label, text in BAD_IDS]
            for label, text in values:
                arguments = self._at(operation, where, name, text)
                response = await self.send(operation, label, **arguments)
                self.expect_named(operation, f"{label} {name}", response, loc)

    def _at(self, operation: _Operation, where: str, name: str, text: str) -> dict[str, Any]:
        """Arguments of :meth:`send` with ``text`` as the value of one path or query parameter."""
        base = self._base_body(operation)
        body = {} if base is None else self._body_arguments(base)
        if where == "path":
            return {**body, "path_values": {**self._path_values(operation), name: text}}
        query = [(key, value) for key, value in self._query(operation) if key != name]
        return {**body, "query": [*query, (name, text)]}

    def _body_arguments(self, base: tuple[bytes, str]) -> dict[str, Any]:
        content, media = base
        if media == "multipart/form-data":
            return {"files": {"file": ("rows.csv", b"name\nx\n")}}
        return {"content": content, "content_type": media}

    async def json_fields(self, operation: _Operation) -> None:
        schema = operation.body_schema("application/json")
        if schema is None:
            return
        base = self.schemas.example(schema)
        for path, leaf, kind in self.schemas.leaves(schema):
            name = str(path[-1]) if not isinstance(path[-1], int) else str(path[-2])
            loc = ["body", *path]
            cases: list[tuple[str, Any]] = []
            if kind in ("string", "enum", "any"):
                cases = [("body.nul", NUL_TEXT), ("body.long", "x" * LONG_BODY_TEXT)]
            elif kind == "number":
                cases = [(f"body.number {label}", _Raw(text)) for label, text in BAD_NUMBERS]
            elif kind == "integer":
                integers = BAD_INTEGERS + (BAD_ID_FIELDS if _names_an_id(name) else ())
                cases = [(f"body.integer {label}", _Raw(text)) for label, text in integers]
            elif kind == "array":
                items = self.schemas.kind(self.schemas.choice(leaf.get("items", {})))
                if items == "integer":
                    loc = [*loc, 0]
                    cases = [
                        (f"body.integer {label}", [_Raw(text)])
                        for label, text in BAD_INTEGERS + BAD_ID_FIELDS
                    ]
                elif items in ("string", "enum"):
                    loc = [*loc, 0]
                    cases = [("body.nul", [NUL_TEXT]), ("body.long", ["x" * LONG_BODY_TEXT])]
            for label, value in cases:
                content = _dump(_with(base, path, value, self.schemas, schema))
                response = await self.send(
                    operation, label, content=content, content_type="application/json"
                )
                self.expect_named(
                    operation, f"{label} at {'.'.join(map(str, path))}", response, loc, content
                )

    async def whole_body(self, operation: _Operation) -> None:
        base = self._base_body(operation)
        if base is None:
            return
        _, media = base
        limit = body_limit_of(self.app, operation.method.upper(), operation.path)
        if media == "application/json":
            deep = b"[" * DEEP + b"]" * DEEP
            response = await self.send(
                operation, "body.deep", content=deep, content_type="application/json"
            )
            self.expect_named(operation, "body.deep", response, ["body"], deep)
        else:
            nul = b"name,serial_number\nbad\x00name,\x00\n"
            response = await self.send(operation, "upload.nul", files={"file": ("rows.csv", nul)})
            self.expect_4xx(operation, "upload.nul", response)

        media_type = f"{media}; boundary={_BOUNDARY}" if media == "multipart/form-data" else media
        # Over the limit with a Content-Length: refused before a byte of it is read.
        declared = _Endless(media)
        response = await self.send(
            operation,
            "body.too large",
            content=declared,
            content_type=media_type,
            headers={"Content-Length": str(limit + 1)},
        )
        self.expect_too_large(operation, "body.too large", response, limit)
        if declared.consumed:
            self.fail(
                operation,
                "body.too large",
                f"read {declared.consumed} bytes of a body whose length was over the limit",
                response,
            )

        # No length, 50 MB on the way: refused once the limit is passed, the rest never read.
        endless = _Endless(media)
        response = await self.send(
            operation, "body.stream", content=endless, content_type=media_type
        )
        self.expect_too_large(operation, "body.stream", response, limit)
        if endless.consumed > limit + 2 * STREAM_CHUNK:
            self.fail(
                operation,
                "body.stream",
                f"read {endless.consumed} bytes of the stream for a limit of {limit}",
                response,
            )


class _Endless:
    """A body of 50 MB sent in chunks, which records how much of it the server took."""

    def __init__(self, media: str) -> None:
        self.media = media
        self.consumed = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunk = b" " * STREAM_CHUNK
        if self.media == "multipart/form-data":
            # A well-formed upload whose file never ends (the parser would take it all).
            chunk = b"x" * STREAM_CHUNK
            self.consumed += len(_UPLOAD_HEAD)
            yield _UPLOAD_HEAD
        while self.consumed < STREAM_TOTAL:
            self.consumed += len(chunk)
            yield chunk


def _names_an_id(name: str) -> bool:
    return name in ("id", "ids") or name.endswith(("_id", "_ids"))


def _as_query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def sweep_bad_input(
    app: FastAPI,
    tokens: TokenFactory,
    *,
    seed: Seed | None = None,
    skip: Sequence[str] = (),
) -> SweepRun:
    """Send each kind of bad input to every operation of ``app`` as an admin; check the answers.

    ``seed`` (given an HTTP client on the app and an admin's headers) may create rows first and
    say which ids exist (:class:`FuzzSeed`); ``skip`` names operations (``"GET /path"``, or a
    regular expression of them) to leave out. Raises ``AssertionError`` listing every answer that
    was a 5xx, not in the error shape, or a field's error that did not name the field; returns
    the counts of what was sent otherwise.
    """
    run = SweepRun()
    # A 5xx is an answer to report like the others (the app logs its traceback).
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    skipped = [re.compile(pattern) for pattern in skip]
    async with (
        rolled_back(app),
        httpx.AsyncClient(transport=transport, base_url=BASE_URL, timeout=120) as client,
    ):
        made = await seed(client, tokens.headers("admin", sub="bad-input-seed")) if seed else None
        made = made or FuzzSeed()
        linked = made.employee_id
        headers = tokens.headers(
            "admin",
            employee_id=linked,
            sub=str(linked) if linked is not None else "bad-input-admin",
            lifetime=timedelta(hours=3),
        )
        sweep = _Sweep(app, client, headers, made, run)
        for operation in sweep.operations():
            if any(pattern.fullmatch(operation.label) for pattern in skipped):
                continue
            run.operations += 1
            await sweep.parameters(operation, "path")
            await sweep.parameters(operation, "query")
            await sweep.json_fields(operation)
            await sweep.whole_body(operation)
    if run.failures:
        raise AssertionError(
            f"{len(run.failures)} answer(s) to bad input broke the rules ({run}):\n"
            + "\n".join(run.failures)
        )
    return run
