"""PostgreSQL access: URL handling, the async engine, and the one-commit-per-request session."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit
from weakref import WeakKeyDictionary

from fastapi import Depends, Request
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Dialect, ExceptionContext
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler

from .observability.tracing import instrument_engine

# Explicit constraint names, so that migrations are reviewable and every service names alike.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg", "postgresql+psycopg")


def make_metadata(schema: str) -> MetaData:
    """A MetaData bound to one service's schema, with the shared naming convention."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def _split(url: str) -> tuple[str, list[tuple[str, str]], SplitResult]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise ValueError(
            f"DATABASE_URL must be a postgresql:// URL, got scheme {parts.scheme or '(none)'!r}"
        )
    return scheme, parse_qsl(parts.query, keep_blank_values=True), parts


def async_url(url: str) -> str:
    """``postgresql://…`` → the asyncpg URL the application uses.

    libpq's ``sslmode`` becomes asyncpg's ``ssl``; a unix-socket ``?host=/dir`` is kept (asyncpg
    accepts it), which is how the embedded PostgreSQL is reached.
    """
    _, query, parts = _split(url)
    converted = [("ssl", v) if k == "sslmode" else (k, v) for k, v in query]
    return urlunsplit(parts._replace(scheme="postgresql+asyncpg", query=urlencode(converted)))


def sync_url(url: str) -> str:
    """``postgresql://…`` → the psycopg URL Alembic and administrative tasks use."""
    _, query, parts = _split(url)
    converted = [("sslmode", v) if k == "ssl" else (k, v) for k, v in query]
    return urlunsplit(parts._replace(scheme="postgresql+psycopg", query=urlencode(converted)))


def libpq_url(url: str) -> str:
    """``postgresql+driver://…`` → the plain URL libpq tools (psql, pg_dump) understand."""
    _, query, parts = _split(url)
    return urlunsplit(parts._replace(scheme="postgresql", query=urlencode(query)))


# SQLSTATEs that say the connection or the server is gone rather than that a statement is wrong:
# class 08 (connection exception; asyncpg's ConnectionDoesNotExistError is 08003) and these.
_GONE_SQLSTATES = frozenset(
    {
        "57P01",  # admin_shutdown: pg_terminate_backend, or a fast shutdown
        "57P02",  # crash_shutdown: another backend crashed, the server restarts
        "57P03",  # cannot_connect_now: starting up or shutting down
        "53300",  # too_many_connections
    }
)


def database_gone(error: BaseException | None) -> bool:
    """Whether ``error`` (the driver's, or an error raised from it) means that the connection to
    the database, or the database server, is gone — not that the statement was wrong.

    Looks along the ``raise … from`` chain: SQLAlchemy's error wraps the driver adapter's, which
    wraps asyncpg's, which wraps the socket's.
    """
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError):  # reset, refused, a connect timeout (TimeoutError)
            return True
        sqlstate = getattr(error, "sqlstate", None)
        if isinstance(sqlstate, str) and (sqlstate.startswith("08") or sqlstate in _GONE_SQLSTATES):
            return True
        # asyncpg after the server sent a connection's FATAL error (pg_terminate_backend) but
        # before it saw the socket close: the protocol waits for a ReadyForQuery that never comes
        # and refuses every further statement with "cannot switch to state N; another operation
        # (2) is in progress". The connection is dead, only asyncpg does not know it yet.
        if type(error).__name__ == "InternalClientError" and "another operation" in str(error):
            return True
        error = error.__cause__
    return False


def database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be used right now — its connection was lost,
    it cannot be reached, or no pooled connection came free in time — rather than that the work
    was wrong. Such work can be tried again unchanged once the database is back."""
    if isinstance(error, PoolTimeout):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return database_gone(error)


def _lost_connections_are_disconnects(context: ExceptionContext) -> None:
    """SQLAlchemy's ``handle_error`` hook: count every lost connection as a disconnect.

    The asyncpg dialect counts an error as a disconnect only once asyncpg has marked the
    connection closed, which lags behind a ``pg_terminate_backend``: a statement that failed
    then left its dead connection to go back to the pool (and a pre-ping's failure was raised to
    the request as a 500). Marked as a disconnect, the connection is thrown away with the rest
    of the pool's, and the error says ``connection_invalidated``, which the API answers with 503
    ``database_unavailable`` (see ``errors.py``). A failure to connect at all (the server down,
    or the database not accepting connections) is marked too: it is an outage, not a bug.
    """
    if context.is_disconnect:
        return
    connecting = context.connection is None and not context.is_pre_ping
    if connecting or database_gone(context.original_exception):
        context.is_disconnect = True


@dataclass
class Database:
    """The engines and session factories of one running service: the primary, and a read
    replica when ``DATABASE_REPLICA_URL`` is set (see :func:`replica_read`)."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    replica_engine: AsyncEngine | None = None
    replica_sessionmaker: async_sessionmaker[AsyncSession] | None = None

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        replica_url: str | None = None,
        pool_size: int = 10,
        max_overflow: int = 10,
        pool_timeout: float = 30.0,
    ) -> Database:
        def engine_for(target: str) -> AsyncEngine:
            engine = create_async_engine(
                async_url(target),
                pool_size=pool_size,
                max_overflow=max_overflow,
                # How long a request waits for a free connection; then 503 database_busy.
                pool_timeout=pool_timeout,
                # No ping before each checkout (a round trip per request: a tenth of a list's
                # time). A connection found dead is marked a disconnect (below), which throws
                # the pool's connections away: after a database restart one request per process
                # gets a clean 503 database_unavailable and the next ones connect afresh.
                # pool_recycle retires connections before a firewall or server idle timeout can
                # cut them silently.
                pool_pre_ping=False,
                pool_recycle=1800,
                # UTC everywhere: timestamps come back as aware UTC datetimes.
                connect_args={"server_settings": {"timezone": "UTC"}, "timeout": 5},
            )
            event.listen(engine.sync_engine, "handle_error", _lost_connections_are_disconnects)
            # Every engine of every process (apps, workers, a service's own worker) traces its
            # statements when tracing is on; nothing is imported or done when it is off.
            instrument_engine(engine)
            return engine

        engine = engine_for(url)
        replica = engine_for(replica_url) if replica_url else None
        return cls(
            engine=engine,
            sessionmaker=make_sessionmaker(engine),
            replica_engine=replica,
            replica_sessionmaker=make_sessionmaker(replica) if replica is not None else None,
        )

    @property
    def engines(self) -> tuple[AsyncEngine, ...]:
        """The primary's engine, then the replica's when there is one."""
        return (self.engine,) if self.replica_engine is None else (self.engine, self.replica_engine)

    def sessionmaker_for(self, request: Request) -> async_sessionmaker[AsyncSession]:
        """The replica's session factory for a GET of an endpoint marked :func:`replica_read`,
        else the primary's (every write, and every read made while writing)."""
        replica = self.replica_sessionmaker
        if replica is not None and request.method in _READ_METHODS:
            route = request.scope.get("route")
            if getattr(getattr(route, "endpoint", None), _REPLICA_READ, False):
                return replica
        return self.sessionmaker

    async def dispose(self) -> None:
        for engine in self.engines:
            await engine.dispose()


_READ_METHODS = frozenset({"GET", "HEAD"})
_REPLICA_READ = "__tb_replica_read__"

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def replica_read(endpoint: Endpoint) -> Endpoint:
    """Mark a list, summary or report endpoint whose reads may go to the read replica.

    Only such reads: the replica lags the primary by a moment, so a record's own page (opened
    right after creating it) and everything a write reads stay on the primary. Without
    ``DATABASE_REPLICA_URL`` the mark changes nothing.
    """
    setattr(endpoint, _REPLICA_READ, True)
    return endpoint


def make_sessionmaker(bind: object) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: the response is built from objects after the unit of work commits.
    return async_sessionmaker(bind=bind, expire_on_commit=False, autoflush=False)  # type: ignore[call-overload]


async def _unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, committed once when the endpoint returns, rolled back on error.

    Domain functions only flush; the commit happens here, before the response is sent (the
    dependency has ``scope="function"``), so a failed commit is answered as an error, not as a
    success the database never kept.
    """
    database: Database = request.app.state.database
    async with database.sessionmaker_for(request)() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()
            await run_after_commit(session)


AFTER_COMMIT = "tb_platform.after_commit"
_log = logging.getLogger("tb_platform.db")


def after_commit(session: AsyncSession, hook: Callable[[], Awaitable[None]]) -> None:
    """Run ``hook`` once ``session``'s transaction has committed (never if it rolls back).

    For what must follow the commit and precede the answer, e.g. dropping cached copies of the
    rows the request changed: dropped before the commit, a concurrent read could cache the old
    row again.
    """
    session.info.setdefault(AFTER_COMMIT, []).append(hook)


async def run_after_commit(session: AsyncSession) -> None:
    """Run the hooks registered with :func:`after_commit`; a failing hook is logged, not raised
    (the transaction is already committed: the change stands)."""
    hooks = session.info.pop(AFTER_COMMIT, [])
    for hook in hooks:
        try:
            await hook()
        except Exception:
            _log.exception("an after-commit step failed")


SessionDep = Annotated[AsyncSession, Depends(_unit_of_work, scope="function")]


# --- Reads through the driver -------------------------------------------------------------------
#
# A list page runs one SELECT of fifty rows, and SQLAlchemy's execution of it (the greenlet
# hop, the execution context, the result's per-row processing, then a Row per row) cost the
# asset list a fifth of its time (4.05 -> 3.1 ms of CPU a request, in process). fetch_rows runs
# the same compiled SQL on the connection's own asyncpg connection instead. Everything that
# makes the SQL is still SQLAlchemy's: the statement, its compilation (cached here by the
# statement's cache key, as SQLAlchemy caches it), the values of its parameters and their bind
# processing. SQLAlchemy's own execution path is kept where the driver path would be blind or
# wrong:
# - something listens to the cursor events (OpenTelemetry's spans, the tests' statement counts,
#   the bench's capture of the ceiling's SQL): they see the statement as always;
# - the statement needs per-execution SQL (an expanding IN, literal_execute values, escaped
#   bind names), or has no cache key.
# A driver error is raised as SQLAlchemy's DBAPIError (its SQLSTATE kept, so the error handlers
# answer it as any other); whether the connection was lost is asked of SQLAlchemy itself (a
# 503, and the pool's connections thrown away, as elsewhere). The statement runs in the unit's
# transaction, started as SQLAlchemy starts it.

_COMPILED_KEPT = 500


@dataclass(frozen=True)
class _DriverForm:
    """A statement shape compiled for the driver: its SQL, the names of its positional
    parameters and each one's bind processor (None: the value goes as it is)."""

    compiled: SQLCompiler
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]


def _adapter_known() -> dict[type, bool]:
    """Dialects whose connection adapter fetch_rows knows how to share a transaction with: the
    asyncpg one, as long as it keeps the lazy-BEGIN members read there (SQLAlchemy is pinned;
    an upgrade that renames them turns the driver path off, it does not break a request)."""
    from sqlalchemy.dialects.postgresql.asyncpg import (
        AsyncAdapt_asyncpg_connection,
        PGDialect_asyncpg,
    )

    members = ("_execute_mutex", "_transaction", "_start_transaction")
    return {PGDialect_asyncpg: all(hasattr(AsyncAdapt_asyncpg_connection, m) for m in members)}


_ADAPTER_KNOWN = _adapter_known()

# Per dialect (an engine's), by cache key; None: a shape the driver path does not take.
_forms: WeakKeyDictionary[Dialect, OrderedDict[Any, _DriverForm | None]] = WeakKeyDictionary()


def _driver_form(compiled: SQLCompiler, dialect: Dialect) -> _DriverForm | None:
    if (
        not compiled.positional
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.escaped_bind_names
    ):
        return None
    names = tuple(compiled.positiontup or ())
    by_name = {name: bind for bind, name in compiled.bind_names.items()}
    return _DriverForm(
        compiled=compiled,
        names=names,
        processors=tuple(
            by_name[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        ),
    )


def driver_statement(
    connection: AsyncConnection, statement: Executable
) -> tuple[str, list[Any]] | None:
    """The SQL and positional arguments asyncpg runs for ``statement``; None where SQLAlchemy's
    own execution must run it (see above)."""
    sync = connection.sync_connection
    if sync is None or sync.dispatch.before_cursor_execute or sync.dispatch.after_cursor_execute:
        return None
    if not _ADAPTER_KNOWN.get(type(connection.dialect), False):
        return None
    cache_key = statement._generate_cache_key()  # type: ignore[attr-defined]
    if cache_key is None:
        return None
    dialect = connection.dialect
    forms = _forms.get(dialect)
    if forms is None:
        forms = _forms[dialect] = OrderedDict()
    key = cache_key.key
    try:
        form = forms[key]
        forms.move_to_end(key)
    except KeyError:
        compiled = statement.compile(dialect=dialect, cache_key=cache_key)  # type: ignore[attr-defined]
        form = forms[key] = _driver_form(compiled, dialect)
        while len(forms) > _COMPILED_KEPT:
            forms.popitem(last=False)
    if form is None:
        return None
    # This execution's values, put in the places of the compiled statement's parameters.
    values = form.compiled.construct_params(
        extracted_parameters=cache_key.bindparams, escape_names=False
    )
    assert values is not None
    return form.compiled.string, [
        values[name] if process is None else process(values[name])
        for name, process in zip(form.names, form.processors, strict=True)
    ]


async def fetch_rows(connection: AsyncConnection, statement: Executable) -> list[dict[str, Any]]:
    """The rows of a Core SELECT as dicts (column name -> value), read on ``connection``'s
    asyncpg connection (see above); through SQLAlchemy where that must be."""
    driver_form = driver_statement(connection, statement)
    if driver_form is None:
        result = await connection.execute(statement)
        return [dict(row._mapping) for row in result]
    sql, arguments = driver_form
    raw = await connection.get_raw_connection()
    adapted: Any = raw.dbapi_connection  # SQLAlchemy's adapter of the asyncpg connection
    driver = raw.driver_connection
    assert driver is not None  # a checked-out connection has its asyncpg connection
    try:
        # In the unit's transaction, as SQLAlchemy's own execution does: BEGIN first if this is
        # the transaction's first statement (the adapter starts it lazily, and commits or rolls
        # back only what it started), one statement at a time on the connection.
        async with adapted._execute_mutex:
            if adapted._transaction is None:
                await adapted._start_transaction()
            records = await driver.fetch(sql, *arguments)
    except Exception as error:
        await _raise_if_lost(connection)
        raise DBAPIError(sql, arguments, error) from error
    return [dict(record) for record in records]


async def _raise_if_lost(connection: AsyncConnection) -> None:
    """After a driver error: if the connection is gone, raise what SQLAlchemy raises for a lost
    connection, having done what it does (the pool's connections thrown away, the error marked
    ``connection_invalidated``: a 503, and the next request connects afresh). Asked of SQLAlchemy
    itself, with a ``SELECT 1``, so that the driver path and SQLAlchemy's cannot disagree on what
    a lost connection is. A live connection (the statement failed; the transaction is aborted)
    answers that probe with an error that is not a disconnect, and nothing is raised here."""
    try:
        await connection.exec_driver_sql("SELECT 1")
    except DBAPIError as probe:
        if probe.connection_invalidated:
            raise
    except Exception:  # noqa: S110 (the statement's own error is what the caller raises)
        pass
