# One image for the API, the worker and the one-shot setup commands.
FROM python:3.11-slim

# Bytecode compiled at install: the workflow sandbox imports workflow modules for every run, and
# the running image writes none.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1
RUN pip install --no-cache-dir "uv==0.13.9"

WORKDIR /app
COPY requirements.lock pyproject.toml README.md ./
RUN uv pip sync --system requirements.lock
COPY fastship ./fastship
COPY api ./api
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY models ./models
COPY migrations ./migrations
COPY repositories ./repositories
RUN uv pip install --system --no-deps . \
    && useradd --system --uid 10001 fastship
USER fastship

ENV API_HOST=0.0.0.0
EXPOSE 8000
CMD ["fastship", "api"]
