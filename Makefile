# Everything runs from a virtualenv built from the development lock; `make dev` and `make test` build it.
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
# `python3 -m uv` rather than `uv`: a fresh pip install puts no `uv` on PATH under pyenv.
UV := python3 -m uv
export UV_PYTHON_DOWNLOADS := never

.PHONY: install web dev test test-unit test-workflows coverage lint lock bench messages

$(BIN)/.installed: requirements-dev.lock pyproject.toml
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) venv --quiet --allow-existing --python 3.11 $(VENV)
	$(UV) pip sync --quiet --python $(VENV) requirements-dev.lock
	$(UV) pip install --quiet --python $(VENV) --no-deps --editable .
	@touch $@

install: $(BIN)/.installed

# The web app: its packages from the lock, then the build the API serves at `/`.
WEB := frontend
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) $(wildcard $(WEB)/*.json $(WEB)/*.ts $(WEB)/index.html)

$(WEB)/node_modules/.installed: $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB)/dist/index.html: $(WEB)/node_modules/.installed $(WEB_SOURCES)
	cd $(WEB) && npm run build

web: $(WEB)/dist/index.html

## Run the whole product on embedded PostgreSQL, Redis and Temporal (or the URLs in the environment).
dev: install web
	$(BIN)/fastship dev

## Run the test suite against real servers it starts itself (browser tests included), then the
## web app's component tests.
test: install web
	$(BIN)/pytest
	cd $(WEB) && npm test

## The whole suite with line and branch coverage per package (slower: tracing every line).
coverage: install web
	$(BIN)/pytest --cov --cov-report=term:skip-covered

## The unit tier alone, in seconds: no server can start there (their fixtures live in tests/server).
test-unit: install
	$(BIN)/pytest tests/unit

## The workflow tier: the time-skipping test server and fake activities, no database.
test-workflows: install
	$(BIN)/pytest tests/workflows

## Print the performance figures (see `$(BIN)/python -m bench --help` for a shorter run).
bench: install
	$(BIN)/python -m bench

lint: install $(WEB)/node_modules/.installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/lint-imports  # the layers of ../shared/docs/architecture.md
	cd $(WEB) && npm run check

## Re-resolve dependencies after editing pyproject.toml: production alone (the image) and with
## the development group (make dev, make test).
LOCK := $(UV) pip compile pyproject.toml --generate-hashes --python-version 3.11 --no-header --quiet
lock:
	$(LOCK) --output-file requirements.lock
	$(LOCK) --group dev --output-file requirements-dev.lock

## Re-extract the templates' sentences and merge them into the catalogs (then translate the new ones).
LOCALE := activities/notifications/locale
messages: install
	$(BIN)/pybabel extract -F babel.cfg --project=FastShip --version=0.1.0 \
		-o $(LOCALE)/messages.pot activities/notifications/templates
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE)
