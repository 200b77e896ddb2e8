"""Settings shared by every service, read from the environment (pydantic-settings)."""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Used only when ENVIRONMENT is development or test and JWT_SECRET is unset, so that the services of
# a developer's machine agree on one key without any set-up. Refused everywhere else.
DEVELOPMENT_JWT_SECRET = "tb-erp-development-secret-do-not-use-in-production"  # noqa: S105
MIN_SECRET_LENGTH = 32

Environment = Literal["development", "test", "staging", "production"]
ALLOWED_KEY_ALGORITHMS = ("HS256", "RS256", "ES256")


class ServiceSettings(BaseSettings):
    """Base settings of a TB ERP service. Each service subclasses it and adds its own fields."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False, env_file=None)

    service_name: str = "tb-erp-service"
    environment: Environment = "development"
    database_url: str | None = Field(
        default=None,
        description="postgresql://user:pass@host:port/db; the service picks its own drivers",
    )
    # A read replica of that database (optional): lists, summaries and reports read from it
    # (tb_platform.db.replica_read); writes, and reads made while writing, use the primary.
    database_replica_url: str | None = Field(
        default=None, description="postgresql://user:pass@replica-host:port/db"
    )
    # 10 per process: the five services and their workers stay under PostgreSQL's default 100
    # connections together (a request waits for a free one; it does not fail). All ten are
    # kept open: overflow connections (5 + 5 until 2026-11) are closed whenever the load dips
    # and opened again at the next burst, a connection and a fresh server process each time,
    # which the asset list's p99 under an uneven load paid (standalone, 100 req/s Poisson:
    # p99 97-126 ms with 5 + 5, 70-85 ms with 10 + 0).
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=0, ge=0, le=200)
    db_pool_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "info"

    # Events and cache. REDIS_URL is the default event broker (Redis Streams) and the cache;
    # BROKER_URL=amqp://… moves the events to RabbitMQ (the cache stays on Redis).
    redis_url: str | None = Field(default=None, description="redis://host:6379/0")
    broker_url: str | None = Field(default=None, description="amqp://user:pass@host:5672/")
    cache_ttl_seconds: int = Field(default=60, ge=1, le=86400)
    # The prefix of the service's keys in Redis; "tb-erp:<service_name>" when unset.
    cache_namespace: str = Field(default="", max_length=200)
    event_max_attempts: int = Field(default=5, ge=1, le=100)

    # Request bodies (tb_platform.limits): a JSON body up to MAX_BODY_BYTES, an upload (a route
    # that takes a file or a form) up to MAX_UPLOAD_BYTES; none above 10 MiB.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=10 * 1024 * 1024)
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=10 * 1024 * 1024)

    jwt_secret: SecretStr = SecretStr(DEVELOPMENT_JWT_SECRET)
    jwt_algorithm: Literal["HS256"] = "HS256"
    jwt_issuer: str = "tb-erp"
    jwt_audience: str = "tb-erp-services"
    jwt_ttl_seconds: int = Field(default=3600, ge=60, le=86400)
    # Room for asymmetric keys: a token whose header carries a ``kid`` is verified with the key of
    # that id, e.g. JWT_KEYS='{"2027-01": {"alg": "RS256", "key": "-----BEGIN PUBLIC KEY-----..."}}'.
    jwt_keys: Annotated[dict[str, dict[str, str]], NoDecode] = Field(default_factory=dict)
    # Token revocation (tb_platform.token_versions): each employee's current token version lives
    # in Redis under ``<prefix>:<employee_id>``; every service must use the same prefix.
    token_version_prefix: str = Field(default="tb:token-version", min_length=1, max_length=200)
    # Data generations shared with the web app (tb_platform.page_cache.Generation): the token of
    # each kind of data lives under ``<prefix>:<name>``; every service and the web app use the
    # same prefix.
    generation_prefix: str = Field(default="tb:generation", min_length=1, max_length=200)
    # Asked for an employee's token version when Redis has lost it (every service, not only
    # those that look employees up).
    employee_service_url: str = "http://127.0.0.1:8001"

    @field_validator("jwt_keys", mode="before")
    @classmethod
    def _parse_jwt_keys(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = json.loads(value) if value.strip() else {}
        if not isinstance(value, dict):
            raise ValueError("JWT_KEYS must be a JSON object of kid -> {alg, key}")
        for kid, entry in value.items():
            if not isinstance(entry, dict) or {"alg", "key"} - entry.keys():
                raise ValueError(f"JWT_KEYS[{kid!r}] needs 'alg' and 'key'")
            if entry["alg"] not in ALLOWED_KEY_ALGORITHMS:
                raise ValueError(f"JWT_KEYS[{kid!r}]: algorithm {entry['alg']!r} is not allowed")
        return value

    @model_validator(mode="after")
    def _default_cache_namespace(self) -> ServiceSettings:
        if not self.cache_namespace:
            self.cache_namespace = f"tb-erp:{self.service_name}"
        return self

    @model_validator(mode="after")
    def _refuse_weak_secrets(self) -> ServiceSettings:
        secret = self.jwt_secret.get_secret_value()
        if self.environment in ("staging", "production"):
            if secret == DEVELOPMENT_JWT_SECRET:
                raise ValueError("JWT_SECRET must be set outside development")
            if len(secret) < MIN_SECRET_LENGTH:
                raise ValueError(f"JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters")
        elif secret == DEVELOPMENT_JWT_SECRET and self.environment == "development":
            logging.getLogger("tb_platform.settings").warning(
                "JWT_SECRET is not set: using the development key (never do this in production)"
            )
        return self

    def require_database_url(self) -> str:
        """The configured DATABASE_URL, or a clear error when there is none."""
        if not self.database_url:
            raise SystemExit(
                "DATABASE_URL is not set (postgresql://user:password@host:5432/database)"
            )
        return self.database_url
