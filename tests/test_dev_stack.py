"""The README's run command: `fastship dev` brings the whole product up on embedded servers."""

import asyncio
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

from fastship.embedded import free_port
from tests.conftest import PASSWORD
from tests.helpers import eventually

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
            "WORKER_METRICS_PORT": str(free_port()),
        }
        started = time.monotonic()
        with self.output.open("wb") as output:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "fastship", "dev", env=env, stdout=output, stderr=output
            )
        while BANNER not in self.output.read_text(errors="replace"):
            assert self.process.returncode is None, self.output.read_text(errors="replace")
            assert time.monotonic() - started < 120, "fastship dev did not come up in 120 s"
            await asyncio.sleep(0.2)

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
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"http://127.0.0.1:{stack.ui_port}/")).status_code == 200

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
