# One image for the API, the worker and the one-shot commands (`fastship migrate`,
# `fastship register-search-attributes`). Production dependencies only: requirements.lock.
ARG PYTHON_IMAGE=python:3.11-slim
ARG NODE_IMAGE=node:20-slim

FROM ${PYTHON_IMAGE} AS builder
# Bytecode compiled at install: the workflow sandbox imports workflow modules for every run, and
# the running image writes none.
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir "uv==0.13.9"
WORKDIR /src
RUN uv venv --python /usr/local/bin/python3.11 /opt/venv
COPY requirements.lock ./
RUN uv pip sync --no-cache --python /opt/venv requirements.lock
COPY pyproject.toml README.md ./
COPY fastship ./fastship
COPY launcher ./launcher
COPY api ./api
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY models ./models
COPY repositories ./repositories
COPY migrations ./migrations
RUN uv pip install --no-cache --python /opt/venv --no-deps .

# The web app, built where Node is; the runtime gets only the result.
FROM ${NODE_IMAGE} AS web
WORKDIR /web
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend ./
RUN npm run build

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 API_HOST=0.0.0.0 \
    WEB_APP_DIR=/app/web
RUN useradd --system --uid 10001 --no-create-home fastship
# The app packages are installed in the virtualenv, so it is all the runtime needs.
COPY --from=builder /opt/venv /opt/venv
COPY --from=web /web/dist /app/web
WORKDIR /app
USER fastship

# The API, and the worker's Prometheus metrics (WORKER_METRICS_PORT).
EXPOSE 8000 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('API_PORT', '8000')}/health/live\", timeout=4)"]
CMD ["fastship", "api"]
