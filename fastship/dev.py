"""`fastship dev`: the whole product on one machine, on real embedded servers where none is set."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client

from fastship.embedded import (
    EmbeddedPostgres,
    EmbeddedRedis,
    EmbeddedTemporal,
    free_port,
    stop_process,
)
from fastship.settings import Settings
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


async def wait_for_search_attributes(address: str, namespace: str) -> None:
    """The dev server accepts connections a moment before its search attributes exist."""
    wanted = {key.name for key in SearchAttributes.ALL}
    client = await Client.connect(address, namespace=namespace)
    async with asyncio.timeout(60):
        while True:
            response = await client.operator_service.list_search_attributes(
                ListSearchAttributesRequest(namespace=namespace)
            )
            if wanted <= set(response.custom_attributes):
                return
            await asyncio.sleep(0.2)


def wait_until_ready(url: str, children: dict[str, subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for name, child in children.items():
            if child.poll() is not None:
                raise RuntimeError(f"{name} exited with code {child.returncode} while starting")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own URL
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"the API was not ready at {url} within 60 s")


class _Stop(Exception):
    pass


def _raise_stop(*_: object) -> None:
    raise _Stop


def run(settings: Settings) -> int:
    started = time.monotonic()
    state = settings.state_dir.resolve()
    state.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)

    with ExitStack() as servers:
        try:
            if not settings.configured("database_url"):
                postgres = EmbeddedPostgres(state / "postgres")
                servers.callback(postgres.stop)
                asyncio.run(create_database_if_missing(postgres.url("postgres"), DATABASE_NAME))
                env["DATABASE_URL"] = postgres.url(DATABASE_NAME)
            if not settings.configured("redis_url"):
                redis = EmbeddedRedis(state / "redis", port=free_port())
                servers.callback(redis.stop)
                env["REDIS_URL"] = redis.url
            temporal_ui = "(the configured Temporal's own UI)"
            if not settings.configured("temporal_address"):
                temporal = EmbeddedTemporal(
                    state / "temporal",
                    port=settings.embedded_temporal_port,
                    ui_port=settings.temporal_ui_port,
                )
                servers.callback(temporal.stop)
                env["TEMPORAL_ADDRESS"] = temporal.address
                temporal_ui = temporal.ui_url
                asyncio.run(
                    wait_for_search_attributes(temporal.address, settings.temporal_namespace)
                )

            asyncio.run(migrate(env.get("DATABASE_URL", settings.database_url)))
            api = f"http://{settings.api_host}:{settings.api_port}"
            if not settings.configured("public_url"):  # links in messages open this API
                env["PUBLIC_URL"] = api

            processes = {
                "worker": [sys.executable, "-m", "fastship", "worker"],
                "api": [sys.executable, "-m", "fastship", "api"],
            }
            children = {
                name: subprocess.Popen(command, env=env, start_new_session=True)
                for name, command in processes.items()
            }
            for child in children.values():
                servers.callback(stop_process, child)

            wait_until_ready(f"{api}/health/ready", children)
            print(
                f"\nFastShip is up in {time.monotonic() - started:.1f} s (state in {state})\n"
                f"  API          {api}/api/v1\n"
                f"  API docs     {api}/docs\n"
                f"  Outbox       {api}/api/v1/dev/outbox  (sent messages, without provider keys)\n"
                f"  Temporal UI  {temporal_ui}\n"
                "Press Ctrl-C to stop.\n",
                flush=True,
            )
            while True:
                for name, child in children.items():
                    if child.poll() is not None:
                        print(f"{name} exited with code {child.returncode}; stopping", flush=True)
                        return 1
                time.sleep(0.5)
        except _Stop:
            print("Stopping FastShip...", flush=True)
            return 0
        except (OSError, RuntimeError, TimeoutError) as exc:
            print(f"FastShip could not start: {exc}; stopping what had started", flush=True)
            return 1
