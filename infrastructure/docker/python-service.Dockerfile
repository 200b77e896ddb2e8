# syntax=docker/dockerfile:1
# {{generated}}
#
# The {{service}}'s image. Build from the repository root (the uv workspace lives there):
#   docker build -f apps/{{service}}/Dockerfile -t tb-erp/{{service}} .
# The same image runs the API (the default command), the event worker (`{{service}} worker`)
# and the one-shot commands (`{{service}} migrate`, ...).

FROM python:3.11-slim-bookworm AS build
# The uv the repository pins (tberp.py's UV_VERSION): the lock file is read by the uv that wrote it.
COPY --from=ghcr.io/astral-sh/uv:{{uv_version}} /uv /bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11
WORKDIR /app

# Dependencies first, from the lock file alone: this layer is reused until uv.lock changes.
# uv resolves the whole workspace, so every member's pyproject.toml must be here (render.py
# lists them from the root pyproject.toml).
COPY pyproject.toml uv.lock ./
{{workspace_manifests}}
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package {{service}} --no-install-workspace

# Then the code: this service and the workspace packages it imports (from uv.lock). They stay
# installed from their folders (editable) because the service finds its alembic/ next to app/.
{{workspace_sources}}
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package {{service}} \
    && python -m compileall -q {{compile_paths}}


FROM python:3.11-slim-bookworm
# A numeric uid: Kubernetes' runAsNonRoot can only verify a number, not a user name.
RUN groupadd --system --gid 10001 tberp \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin tberp
WORKDIR /app
# Owned by root and read-only for the service's user: it cannot change its own code. The
# bytecode was compiled in the build, so nothing needs writing at start-up either.
COPY --from=build /app /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ENVIRONMENT=production \
    OTEL_SERVICE_NAME={{service}} \
    HOST=0.0.0.0 \
    PORT={{port}}
USER 10001:10001
EXPOSE {{port}}
# Liveness of the API (no dependencies). A worker or one-shot container runs the same image
# without HTTP: compose turns this check off for those.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:{{port}}/health', timeout=3)"]
CMD ["{{service}}", "serve", "--host", "0.0.0.0", "--port", "{{port}}"]
