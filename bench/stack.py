"""A throwaway FastShip on free ports: embedded servers, the worker and the API as subprocesses."""

import asyncio
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from launcher.dev import (
    DATABASE_NAME,
    Child,
    create_database_if_missing,
    wait_for_temporal,
    wait_until_ready,
)
from launcher.embedded import (
    EmbeddedPostgres,
    EmbeddedRedis,
    EmbeddedTemporal,
    free_port,
)
from migrations import migrate

NAMESPACE = "default"
LOG_TAIL_LINES = 20
SQLITE_WAL = 2  # byte 18 of an SQLite file header: 1 = rollback journal, 2 = WAL


class Part(Protocol):
    """A server or process of the stack, as the fault run kills and restarts it."""

    name: str

    def kill(self) -> None: ...

    def restart(self) -> None: ...


@dataclass(frozen=True)
class Stack:
    api_url: str
    database_url: str
    redis_url: str
    temporal_address: str
    worker: Child
    temporal_wal: bool
    api_workers: str
    parts: list[Part]
    processes: dict[str, int]  # each part's root process, for its CPU time

    def worker_memory_mib(self) -> float:
        """The worker's resident memory (VmRSS)."""
        for line in Path(f"/proc/{self.worker.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("the worker has exited")


def _uses_wal(sqlite_file: Path) -> bool:
    with sqlite_file.open("rb") as file:
        return file.read(20)[18] == SQLITE_WAL


@contextmanager
def running_stack(api_workers: int | None = None) -> Iterator[Stack]:
    """Starts everything in a temporary folder; stops and removes it all on the way out.

    API processes: `api_workers`, else API_WORKERS, else one per core.
    """
    with ExitStack() as stack:
        state = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fastship-bench-")))
        postgres = EmbeddedPostgres(state / "postgres")
        stack.callback(postgres.stop)
        redis = EmbeddedRedis(state / "redis", port=free_port(), persist=False)
        stack.callback(redis.stop)
        temporal = EmbeddedTemporal(state / "temporal", port=free_port(), ui_port=free_port())
        stack.callback(temporal.stop)

        asyncio.run(create_database_if_missing(postgres.url("postgres"), DATABASE_NAME))
        database_url = postgres.url(DATABASE_NAME)
        asyncio.run(migrate(database_url))
        asyncio.run(wait_for_temporal(temporal.address, NAMESPACE))

        api_port = free_port()
        env = {
            **os.environ,
            "ENVIRONMENT": "development",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url,
            "TEMPORAL_ADDRESS": temporal.address,
            "TEMPORAL_NAMESPACE": NAMESPACE,
            "API_HOST": "127.0.0.1",
            "API_PORT": str(api_port),
            # Its own: a second stack at once (another bench, the fault run) must not collide.
            "WORKER_METRICS_PORT": str(free_port()),
            # One API process per core, as a deployment on this machine would run it.
            "API_WORKERS": str(api_workers or os.environ.get("API_WORKERS", os.cpu_count() or 1)),
            "STATE_DIR": str(state / "app"),
            # All load comes from one address and a few tokens: no rate limits.
            **{
                f"RATE_LIMIT_{name}": "100000000/minute"
                for name in (
                    "ACCOUNT_PER_IP",
                    "ACCOUNT_PER_ACCOUNT",
                    "DELIVERY_CODE_PER_IP",
                    "DELIVERY_CODE_PER_SHIPMENT",
                    "PER_TOKEN",
                )
            },
        }
        children = []
        for name in ("worker", "api"):
            children.append(Child(name, env, log=state / f"{name}.log"))
            stack.callback(children[-1].stop)
        api_url = f"http://127.0.0.1:{api_port}"
        try:
            wait_until_ready(f"{api_url}/health/ready", children)
            yield Stack(
                api_url=api_url,
                database_url=database_url,
                redis_url=redis.url,
                temporal_address=temporal.address,
                worker=children[0],
                temporal_wal=_uses_wal(state / "temporal" / "temporal.sqlite"),
                api_workers=env["API_WORKERS"],
                parts=[children[0], temporal, postgres, redis, children[1]],
                processes={
                    "API": children[1].pid,
                    "worker": children[0].pid,
                    "Temporal": temporal.pid,
                    "PostgreSQL": postgres.pid,
                    "Redis": redis.pid,
                    "bench": os.getpid(),
                },
            )
        except Exception:
            for child in children:  # the logs go with the temporary folder: show their ends
                lines = (state / f"{child.name}.log").read_text(errors="replace").splitlines()
                sys.stderr.write(f"--- last lines of the {child.name} log ---\n")
                sys.stderr.writelines(line + "\n" for line in lines[-LOG_TAIL_LINES:])
            raise
