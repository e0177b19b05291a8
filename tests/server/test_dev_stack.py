"""The README's run command: `fastship dev` brings the whole product up on embedded servers."""

import asyncio
import json
import os
import re
import signal
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from launcher.dev import wait_for_temporal
from launcher.embedded import dynamic_config_flags, free_port, temporal_cli_path
from models.domain import SearchAttributes
from tests.accounts import PASSWORD, create_operator
from tests.helpers import eventually, payload_data, payloads_in

BANNER = "Press Ctrl-C to stop."


class DevStack:
    def __init__(self, state: Path) -> None:
        self.state = state
        self.api_port, self.temporal_port, self.ui_port = free_port(), free_port(), free_port()
        self.output = state.parent / "dev-output.log"
        self.process: asyncio.subprocess.Process | None = None

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    async def start(self) -> None:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "TEMPORAL_ADDRESS"}
        } | {
            "STATE_DIR": str(self.state),
            "API_PORT": str(self.api_port),
            "EMBEDDED_TEMPORAL_PORT": str(self.temporal_port),
            "TEMPORAL_UI_PORT": str(self.ui_port),
        }
        started = time.monotonic()
        with self.output.open("wb") as output:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "launcher", "dev", env=env, stdout=output, stderr=output
            )
        while BANNER not in self.output.read_text(errors="replace"):
            assert self.process.returncode is None, self.output.read_text(errors="replace")
            assert time.monotonic() - started < 120, "fastship dev did not come up in 120 s"
            await asyncio.sleep(0.2)

    @property
    def printed(self) -> str:
        return self.output.read_text(errors="replace")

    async def until_printed(self, text: str, within: float = 90) -> None:
        async def printed() -> str:
            return self.printed

        await eventually(printed, lambda found: text in found, within=within)

    def pid_of(self, part: str) -> int:
        """The process of one part of the stack: a server by its state folder, worker or API by
        being the launcher's child."""
        assert self.process is not None
        if part == "PostgreSQL":
            return int((self.state / "postgres" / "postmaster.pid").read_text().split()[0])
        markers = {"worker": "launcher worker", "api": "launcher api"}
        markers["Temporal server"] = f"{self.state}/temporal/"
        if found := re.search(r"Redis +redis://([\d.:]+)/", self.printed):
            markers["Redis"] = f"redis-server {found.group(1)}"  # it renames itself so
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                parent = int((proc / "stat").read_text().rpartition(")")[2].split()[1])
            except (OSError, ValueError):  # it ended meanwhile
                continue
            if parent == self.process.pid and markers[part] in command:
                return int(proc.name)
        raise AssertionError(f"no {part} process of this stack")

    async def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return await asyncio.wait_for(self.process.wait(), 60)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[DevStack]:
    stack = DevStack(tmp_path / "state")
    yield stack
    if stack.process is not None and stack.process.returncode is None:
        stack.process.kill()


async def _port_is_closed(port: int) -> bool:
    try:
        async with httpx.AsyncClient() as client:
            await client.get(f"http://127.0.0.1:{port}/", timeout=1)
    except httpx.TransportError:
        return True
    return False


async def _verification_link(http: httpx.AsyncClient, email: str) -> str:
    async def emails() -> list[dict[str, str]]:
        return (await http.get("/dev/outbox", params={"recipient": email})).json()  # type: ignore[no-any-return]

    [message] = await eventually(emails, bool, within=30)
    found = re.search(r"http\S+/verify/\S+", message["body"])
    assert found, message["body"]
    return found.group(0)


async def test_dev_stack_runs_the_product_and_keeps_its_state(stack: DevStack) -> None:
    await stack.start()
    async with httpx.AsyncClient(base_url=f"{stack.api}/api/v1") as http:
        account = {"name": "Acme", "email": "dev@example.com", "password": PASSWORD}
        assert (await http.post("/seller/signup", json=account)).status_code == 201
        courier = account | {
            "email": "courier@example.com",
            "serviceable_zip_codes": ["10001"],
            "max_handling_capacity": 5,
        }
        assert (await http.post("/partner/signup", json=courier)).status_code == 201
        # As a person would: open the verification link from the outbox.
        for role, email in (("seller", "dev@example.com"), ("partner", "courier@example.com")):
            link = await _verification_link(http, email)
            assert link.startswith(f"{stack.api}/verify/{role}?token=")
            token = link.partition("token=")[2]
            assert (await http.post(f"/{role}/verify", json={"token": token})).status_code == 204
        login = {"username": "dev@example.com", "password": PASSWORD}
        token = (await http.post("/seller/token", data=login)).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        body = {
            "content": "Books",
            "weight": 2,
            "destination_zip": "10001",
            "client_contact_email": "ana@example.com",
        }
        created = await http.post("/shipment", json=body, headers=auth)
        assert created.status_code == 201
        shipment_id = created.json()["id"]

    temporal = await Client.connect(f"127.0.0.1:{stack.temporal_port}")

    async def placed() -> list[str]:
        return [w.id async for w in temporal.list_workflows('ShipmentStatus="placed"')]

    assert await eventually(placed, bool) == [f"shipment-{shipment_id}"]
    # An operator, made as the README says with the database the banner prints, finds it too.
    found = re.search(r"PostgreSQL +(\S+)", stack.printed)
    assert found, stack.printed
    code, output = await create_operator(found.group(1), "ops@example.com")
    assert code == 0, output
    async with httpx.AsyncClient(base_url=f"{stack.api}/api/v1") as http:
        operator = {"username": "ops@example.com", "password": PASSWORD}
        logged_in = await http.post("/operator/token", data=operator)
        assert logged_in.status_code == 200, logged_in.text
        token = logged_in.json()["access_token"]
        listed = await http.get(
            "/operator/shipments",
            params={"status": "placed"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert [item["shipment_id"] for item in listed.json()["items"]] == [shipment_id]
    ui = f"http://127.0.0.1:{stack.ui_port}"
    history = await temporal.get_workflow_handle(f"shipment-{shipment_id}").fetch_history()
    payloads = list(payloads_in(json.loads(history.to_json())))
    assert not [p for p in payloads if b"ana@example.com" in payload_data(p)]
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{ui}/")).status_code == 200
        # The UI decodes through the API's codec server (no token: development's key is public).
        codec = (await http.get(f"{ui}/api/v1/settings")).json()["Codec"]["Endpoint"]
        assert codec == f"{stack.api}/codec"
        decoded = await http.post(
            f"{codec}/decode", json={"payloads": payloads}, headers={"Origin": ui}
        )
    assert decoded.status_code == 200, decoded.text
    assert decoded.headers["access-control-allow-origin"] == ui
    assert "ana@example.com" in str([payload_data(p) for p in decoded.json()["payloads"]])

    assert await stack.stop() == 0
    assert await _port_is_closed(stack.api_port)
    assert await _port_is_closed(stack.ui_port)
    # The embedded Temporal keeps its file database in WAL mode (much faster here).
    with sqlite3.connect(stack.state / "temporal" / "temporal.sqlite") as database:
        assert database.execute("PRAGMA journal_mode").fetchone() == ("wal",)

    # A second run finds the account, the shipment and its workflow where they were.
    await stack.start()
    async with httpx.AsyncClient(base_url=f"{stack.api}/api/v1") as http:
        token = (await http.post("/seller/token", data=login)).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        read = await http.get(f"/shipment/{shipment_id}", headers=auth)
    assert read.status_code == 200
    assert [event["status"] for event in read.json()["timeline"]] == ["placed", "placed"]
    description = await temporal.get_workflow_handle(f"shipment-{shipment_id}").describe()
    assert description.status is not None
    assert description.status.name == "RUNNING"
    assert await stack.stop() == 0


def _alive(pid: int) -> bool:
    """Running: neither gone nor a zombie waiting for its parent to read its exit."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


async def _ended(pid: int) -> bool:
    return not _alive(pid)


async def _ready(stack: DevStack) -> int:
    try:
        async with httpx.AsyncClient() as http:
            return (await http.get(f"{stack.api}/health/ready", timeout=3)).status_code
    except httpx.TransportError:
        return 0


async def test_whatever_dies_is_named_and_started_again(tmp_path: Path) -> None:
    stack, beside = DevStack(tmp_path / "one" / "state"), DevStack(tmp_path / "two" / "state")
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    try:
        # Two stacks side by side: each worker finds a metrics port of its own.
        await stack.start()
        await beside.start()
        ports = [
            re.findall(r"Worker metrics +http://127.0.0.1:(\d+)/metrics", s.printed)
            for s in (stack, beside)
        ]
        [one], [two] = ports
        assert one != two

        for part in ("worker", "api", "Redis", "Temporal server", "PostgreSQL"):
            os.kill(stack.pid_of(part), signal.SIGKILL)
            await stack.until_printed(f"{part} exited with code")
            await stack.until_printed(f"{part} is running again")
            assert await eventually(lambda: _ready(stack), lambda status: status == 200, 60)
        assert stack.process is not None
        assert stack.process.returncode is None
        assert await stack.stop() == 0
    finally:
        for running in (stack, beside):
            if running.process is not None and running.process.returncode is None:
                await running.stop()


async def test_a_killed_launcher_leaves_no_server_behind_on_the_next_run(stack: DevStack) -> None:
    await stack.start()
    assert stack.process is not None
    stack.process.kill()  # SIGKILL: no chance to stop anything
    await stack.process.wait()
    # Its children notice at once (the kernel tells them); PostgreSQL runs detached, and stays.
    assert await eventually(lambda: _port_is_closed(stack.api_port), bool, within=30)
    assert await eventually(lambda: _port_is_closed(stack.ui_port), bool, within=30)
    postgres = stack.pid_of("PostgreSQL")
    assert _alive(postgres)

    await stack.start()  # on the same state: finds PostgreSQL running, and takes it over
    assert stack.process is not None
    # An impatient person: Ctrl-C twice at once (the second one landing while the first is
    # handled), then again while stopping. Stopping still finishes, and cleanly.
    stack.process.send_signal(signal.SIGINT)
    stack.process.send_signal(signal.SIGINT)
    await stack.until_printed("Stopping FastShip...")
    assert await stack.stop() == 0, stack.printed
    assert await eventually(lambda: _ended(postgres), bool, within=15)
    assert "Traceback" not in stack.printed


async def test_the_launcher_waits_for_a_starting_temporal_and_names_one_that_never_answers() -> (
    None
):
    port = free_port()
    address = f"127.0.0.1:{port}"
    waiting = asyncio.create_task(wait_for_temporal(address, "default", within=60))
    await asyncio.sleep(2)
    assert not waiting.done(), "it gave up on, or got past, a Temporal that is not there"

    async with await WorkflowEnvironment.start_local(
        port=port,
        dev_server_existing_path=temporal_cli_path(),
        dev_server_extra_args=dynamic_config_flags(),
        search_attributes=SearchAttributes.ALL,
        dev_server_log_level="error",
    ):
        await asyncio.wait_for(waiting, 60)

    with pytest.raises(TimeoutError, match=f"Temporal at {address} was not ready within 1 s"):
        await wait_for_temporal(address, "default", within=1)
