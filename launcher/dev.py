"""`fastship dev`: the whole product on one machine, on real embedded servers where none is set."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict, deque
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.service import RPCError

from fastship.settings import Settings
from launcher.embedded import (
    ChildProcess,
    EmbeddedPostgres,
    EmbeddedRedis,
    EmbeddedTemporal,
    die_with_parent,
    free_port,
)
from migrations import migrate
from models.domain import SearchAttributes

DATABASE_NAME = "fastship"


async def create_database_if_missing(server_url: str, name: str) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            query = text("SELECT 1 FROM pg_database WHERE datname = :name")
            if not await connection.scalar(query, {"name": name}):
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


async def wait_for_temporal(address: str, namespace: str, within: float = 120) -> None:
    """Until Temporal answers with our search attributes registered. A busy machine's dev server
    refuses connections, then says its frontend is not healthy, then lacks the attributes for a
    moment: each is waited out, up to `within` seconds, then named."""
    wanted = {key.name for key in SearchAttributes.ALL}
    deadline = time.monotonic() + within
    while True:
        try:
            client = await Client.connect(address, namespace=namespace)
            response = await client.operator_service.list_search_attributes(
                ListSearchAttributesRequest(namespace=namespace)
            )
            if wanted <= set(response.custom_attributes):
                return
            problem = "its search attributes are not registered yet"
        except (RuntimeError, RPCError) as exc:  # refused, or up but not healthy yet
            problem = str(exc)
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"Temporal at {address} was not ready within {within:.0f} s: {problem}"
            )
        await asyncio.sleep(0.5)


def wait_until_ready(url: str, children: list["Child"]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for child in children:
            if (code := child.exit_code()) is not None:
                raise RuntimeError(f"{child.name} exited with code {code} while starting")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own URL
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"the API was not ready at {url} within 60 s")


class _Stop(BaseException):
    """Ctrl-C or SIGTERM, raised from the signal handler wherever the launcher is: a
    BaseException (as KeyboardInterrupt is), so no library's `except Exception` swallows it or
    turns it into another error."""


def _shown(database_url: str) -> str:
    """The URL to print: its password, if any, masked."""
    return make_url(database_url).render_as_string(hide_password=True)


def _ignore_stops() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _raise_stop(*_: object) -> None:
    # Stopping must finish: from the first Ctrl-C on, another one would interrupt it halfway
    # (leaving servers half stopped, or a traceback and exit code 1 when it lands in `except`).
    _ignore_stops()
    raise _Stop


@dataclass
class Child(ChildProcess):
    """`fastship worker` or `fastship api`: stateless, started again as it was (its output to
    `log` when given)."""

    name: str
    env: dict[str, str]
    log: Path | None = None

    def __post_init__(self) -> None:
        self.restart()

    def restart(self) -> None:
        with ExitStack() as files:
            output = files.enter_context(self.log.open("ab")) if self.log else None
            self._process = subprocess.Popen(
                [sys.executable, "-m", "launcher", self.name],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )


class Supervised(Protocol):
    name: str

    def exit_code(self) -> int | None: ...

    def restart(self) -> None: ...


class GaveUp(Exception):
    """Something died, or failed to start, again and again."""


@dataclass
class Supervisor:
    """Says at once what died and starts it again on its state; gives up on one that keeps dying
    (more than MAX_RESTARTS within RESTART_WINDOW seconds), so nothing runs half-broken in
    silence."""

    watched: list[Supervised]
    restarts: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    MAX_RESTARTS: ClassVar[int] = 5
    RESTART_WINDOW: ClassVar[float] = 60.0

    def check(self) -> None:
        for part in self.watched:
            code = part.exit_code()
            if code is None:
                continue
            recent = self.restarts[part.name]
            now = time.monotonic()
            while recent and now - recent[0] > self.RESTART_WINDOW:
                recent.popleft()
            if len(recent) >= self.MAX_RESTARTS:
                raise GaveUp(
                    f"{part.name} is down (exit code {code}) after {len(recent)} restarts "
                    f"within {self.RESTART_WINDOW:.0f} s"
                )
            recent.append(now)
            print(f"{part.name} exited with code {code}; starting it again", flush=True)
            try:
                part.restart()
            except (OSError, RuntimeError, TimeoutError, subprocess.CalledProcessError) as exc:
                print(f"{part.name} did not start: {exc}; trying again", flush=True)
                continue
            print(f"{part.name} is running again", flush=True)


def run(settings: Settings) -> int:
    started = time.monotonic()
    state = settings.state_dir.resolve()
    state.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    watched: list[Supervised] = []
    api = f"http://{settings.api_host}:{settings.api_port}"

    with ExitStack() as servers:
        try:
            if not settings.configured("database_url"):
                postgres = EmbeddedPostgres(state / "postgres")
                servers.callback(postgres.stop)
                watched.append(postgres)
                asyncio.run(create_database_if_missing(postgres.url("postgres"), DATABASE_NAME))
                env["DATABASE_URL"] = postgres.url(DATABASE_NAME)
            if not settings.configured("redis_url"):
                redis = EmbeddedRedis(state / "redis", port=free_port())
                servers.callback(redis.stop)
                watched.append(redis)
                env["REDIS_URL"] = redis.url
            temporal_ui = "(the configured Temporal's own UI)"
            if not settings.configured("temporal_address"):
                temporal = EmbeddedTemporal(
                    state / "temporal",
                    port=settings.embedded_temporal_port,
                    ui_port=settings.temporal_ui_port,
                    codec_endpoint=f"{api}/codec",
                )
                servers.callback(temporal.stop)
                watched.append(temporal)
                env["TEMPORAL_ADDRESS"] = temporal.address
                env["TEMPORAL_UI_URL"] = temporal.ui_url
                temporal_ui = temporal.ui_url
                asyncio.run(wait_for_temporal(temporal.address, settings.temporal_namespace))

            asyncio.run(migrate(env.get("DATABASE_URL", settings.database_url)))
            if not settings.configured("public_url"):  # links in messages open this API
                env["PUBLIC_URL"] = api
            metrics_port = settings.worker_metrics_port
            if not settings.configured("worker_metrics_port"):  # another stack may have 9464
                metrics_port = free_port()
                env["WORKER_METRICS_PORT"] = str(metrics_port)

            children = [Child(name, env) for name in ("worker", "api")]
            for child in children:
                servers.callback(child.stop)
            watched += children

            wait_until_ready(f"{api}/health/ready", children)
            print(
                f"\nFastShip is up in {time.monotonic() - started:.1f} s (state in {state})\n"
                f"  Web app         {api}/\n"
                f"  API             {api}/api/v1\n"
                f"  API docs        {api}/docs\n"
                f"  Outbox          {api}/dev/outbox  (sent messages, without provider keys)\n"
                f"  Temporal UI     {temporal_ui}\n"
                f"  Worker metrics  http://127.0.0.1:{metrics_port}/metrics\n"
                f"  Redis           {env.get('REDIS_URL', settings.redis_url)}\n"
                f"  PostgreSQL      {_shown(env.get('DATABASE_URL', settings.database_url))}\n"
                "Press Ctrl-C to stop.\n",
                flush=True,
            )
            supervisor = Supervisor(watched)
            while True:
                supervisor.check()
                time.sleep(0.5)
        except _Stop:
            print("Stopping FastShip...", flush=True)
            return 0
        except GaveUp as exc:
            print(f"{exc}; stopping everything", flush=True)
            return 1
        except (OSError, RuntimeError, TimeoutError) as exc:
            print(f"FastShip could not start: {exc}; stopping what had started", flush=True)
            return 1
        finally:  # the other ways out stop the servers too, uninterrupted
            _ignore_stops()
