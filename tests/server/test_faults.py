"""Crashes at the worst moment lose and double nothing: a worker killed right after a timeline
write committed (before Temporal heard of it), with the Temporal server restarted before the step
was retried; PostgreSQL stopped while requests run."""

import asyncio
import itertools
import json
import signal
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from temporalio.client import Client

from api.streams.hub import entries_of
from fastship.settings import Settings
from fastship.temporal import data_converter
from launcher.dev import create_database_if_missing, wait_for_temporal
from launcher.embedded import EmbeddedPostgres, EmbeddedTemporal, free_port
from migrations import migrate
from models.changes import account_stream
from models.domain import Role
from tests.accounts import new_partner, new_seller
from tests.crashing_worker import CRASH_AFTER_COMMIT, CRASH_AFTER_PLACING, CRASH_BEFORE_PUBLISH
from tests.fake_webhooks import Receiver
from tests.helpers import eventually, serve_api, start_worker
from tests.shipments import (
    SHIPMENT,
    VALID,
    create,
    created,
    delivery_code,
    outbox,
    report,
    reported,
)
from workflows.shipment import ShipmentWorkflow

SCAN = {"location_zip": "07030", "description": CRASH_AFTER_COMMIT}


@pytest.fixture
def temporal_server(tmp_path: Path) -> Iterator[EmbeddedTemporal]:
    """A Temporal dev server on a file database, so it can be killed and restarted."""
    server = EmbeddedTemporal(tmp_path / "temporal", port=free_port(), ui_port=free_port())
    yield server
    server.stop()


@dataclass
class Stage:
    """A Temporal server of its own to kill and restart, settings pointing at it, an API, and an
    impatient API that gives up on Temporal after 2 s (its client stops asking before a
    restart)."""

    temporal: EmbeddedTemporal
    settings: Settings
    api: httpx.AsyncClient
    impatient_api: httpx.AsyncClient

    async def shipment_in_transit(self, seller: dict[str, str], partner: dict[str, str]) -> str:
        """A shipment picked up, by a worker that has stopped since."""
        worker = await start_worker(self.settings)
        shipment_id: str = (await created(self.api, seller))["id"]
        await reported(self.api, partner, shipment_id, status="in_transit")
        worker.send_signal(signal.SIGTERM)
        await worker.wait()
        return shipment_id

    async def scan_that_kills_the_worker(
        self, partner: dict[str, str], shipment_id: str, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """Sends the scan whose write kills the worker; kills and restarts Temporal once it has
        answered (a 503: unconfirmed)."""
        doomed = await start_worker(self.settings, module="tests.crashing_worker")
        scan = await self.impatient_api.post(
            f"/api/v1/shipment/{shipment_id}/events", json=SCAN, headers=partner | (headers or {})
        )
        async with asyncio.timeout(30):
            assert await doomed.wait() == -signal.SIGKILL
        self.temporal.kill()
        self.temporal.restart()
        return scan

    async def workflow_state(self, shipment_id: str) -> Any:
        client = await Client.connect(
            self.settings.temporal_address,
            data_converter=data_converter(self.settings.payload_keys),
        )
        return await client.get_workflow_handle(f"shipment-{shipment_id}").query(
            ShipmentWorkflow.state
        )


@pytest.fixture
async def stage(settings: Settings, temporal_server: EmbeddedTemporal) -> AsyncIterator[Stage]:
    await wait_for_temporal(temporal_server.address, settings.temporal_namespace)
    staged = settings.model_copy(
        update={
            "temporal_address": temporal_server.address,
            # Long enough to outlast the restarts; a dead worker's step is retried after 2 s.
            "workflow_command_timeout": timedelta(seconds=30),
            "database_step_timeout": timedelta(seconds=2),
        }
    )
    impatient = staged.model_copy(update={"workflow_command_timeout": timedelta(seconds=2)})
    async with serve_api(staged) as api, serve_api(impatient) as impatient_api:
        yield Stage(temporal_server, staged, api, impatient_api)


async def test_a_pickup_sent_while_the_first_workflow_task_is_retried_is_accepted(
    stage: Stage, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    """The create was answered from what is stored, but its workflow task died with the worker:
    the pickup reaches the retried task before the placement is known there again, and waits for
    it instead of being refused."""
    doomed = await start_worker(stage.settings, module="tests.crashing_worker")
    body = VALID | {"content": CRASH_AFTER_PLACING}
    shipment = (await stage.impatient_api.post(SHIPMENT, json=body, headers=seller_auth)).json()
    async with asyncio.timeout(30):
        assert await doomed.wait() == -signal.SIGKILL
    assert shipment["partner"] is not None, shipment  # stored and assigned: answered 201

    pickup = asyncio.create_task(
        report(stage.api, partner_auth, shipment["id"], status="in_transit")
    )
    await asyncio.sleep(1)  # the pickup waits in Temporal, before the retried workflow task
    replacement = await start_worker(stage.settings)
    try:
        answer = await pickup
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "in_transit"
    finally:
        replacement.send_signal(signal.SIGTERM)
        await replacement.wait()


def _descriptions(shipment: dict[str, Any]) -> list[str | None]:
    return [event["description"] for event in reversed(shipment["timeline"])]


async def test_a_worker_killed_between_commit_and_publish_leaves_the_publish_to_the_retry(
    stage: Stage, seller_auth: dict[str, str], partner_auth: dict[str, str], redis: Redis
) -> None:
    shipment_id = await stage.shipment_in_transit(seller_auth, partner_auth)  # sequence 3
    seller = (await stage.api.get("/api/v1/seller/me", headers=seller_auth)).json()
    feed = account_stream(Role.SELLER, uuid.UUID(seller["id"]))

    async def published() -> list[int]:
        return [change.sequence for _, change in entries_of(await redis.xrange(feed))]

    doomed = await start_worker(stage.settings, module="tests.crashing_worker")
    scan = {"location_zip": "07030", "description": CRASH_BEFORE_PUBLISH}
    path = f"/api/v1/shipment/{shipment_id}/events"
    answer = asyncio.create_task(stage.api.post(path, json=scan, headers=partner_auth))
    async with asyncio.timeout(30):
        assert await doomed.wait() == -signal.SIGKILL
    assert await published() == [2, 3]  # the scan (4) is stored, and nobody was told

    replacement = await start_worker(stage.settings)
    try:
        assert (await answer).status_code == 200  # once the retried step ran
        assert await published() == [2, 3, 4]  # the retry found it stored, and published it
    finally:
        replacement.send_signal(signal.SIGTERM)
        await replacement.wait()


@pytest.mark.parametrize(
    "next_report",
    [
        {"location_zip": "10001", "description": "Manhattan hub"},
        {"status": "out_for_delivery", "description": "On the van"},
    ],
    ids=["scan", "status change"],
)
async def test_a_change_after_an_unconfirmed_write_is_stored_and_so_is_the_write(
    stage: Stage,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    receiver: Receiver,
    next_report: dict[str, str],
) -> None:
    api = stage.api
    events = ["shipment.in_transit", "shipment.out_for_delivery", "shipment.delivered"]
    hook = {"url": receiver.url, "event_types": events}
    assert (await api.post("/api/v1/seller/webhooks", json=hook, headers=seller_auth)).is_success
    shipment_id = await stage.shipment_in_transit(seller_auth, partner_auth)

    scan_answer = await stage.scan_that_kills_the_worker(partner_auth, shipment_id)
    replacement = await start_worker(stage.settings)
    try:
        answered = await report(api, partner_auth, shipment_id, **next_report)
        assert answered.status_code == 200, answered.text
        shipment = (await api.get(f"/api/v1/shipment/{shipment_id}", headers=seller_auth)).json()
        state = await stage.workflow_state(shipment_id)

        # Both changes are stored once each, in order, and the answers say what is stored.
        descriptions = _descriptions(shipment)
        assert descriptions.count(CRASH_AFTER_COMMIT) == 1
        assert descriptions.count(next_report["description"]) == 1
        assert descriptions.index(CRASH_AFTER_COMMIT) < descriptions.index(
            next_report["description"]
        )
        sequences = [event["sequence"] for event in reversed(shipment["timeline"])]
        assert sequences == list(range(1, len(sequences) + 1))
        assert next_report["description"] in _descriptions(answered.json())
        assert scan_answer.status_code == 503, scan_answer.text  # unconfirmed, yet stored
        # The workflow knows what the database shows: the shipment goes on to delivery.
        assert (state.status, str(state.partner_id)) == (
            shipment["status"],
            shipment["partner"]["id"],
        )
        if shipment["status"] == "in_transit":
            await reported(api, partner_auth, shipment_id, status="out_for_delivery")
        code = await delivery_code(api, shipment_id)
        await reported(api, partner_auth, shipment_id, status="delivered", verification_code=code)

        # Each stored change's messages and webhooks went out once.
        deliveries = await eventually(
            lambda: _webhook_types(receiver), lambda found: "shipment.delivered" in found
        )
        assert deliveries == events
        sent = await eventually(
            lambda: _channels(api, shipment_id), lambda found: len(found.get("delivered", [])) == 2
        )
        assert sent["out_for_delivery"] == ["email", "sms"]
        assert sent["delivered"] == ["email", "sms"]
    finally:
        replacement.send_signal(signal.SIGTERM)
        await replacement.wait()


async def test_a_report_retried_with_its_key_after_a_crash_is_stored_once(
    stage: Stage, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    api = stage.api
    shipment_id = await stage.shipment_in_transit(seller_auth, partner_auth)
    key = {"Idempotency-Key": "scan-07030-1"}

    first = await stage.scan_that_kills_the_worker(partner_auth, shipment_id, headers=key)
    replacement = await start_worker(stage.settings)
    try:
        retried = await api.post(
            f"/api/v1/shipment/{shipment_id}/events", json=SCAN, headers=partner_auth | key
        )
        again = await api.post(
            f"/api/v1/shipment/{shipment_id}/events", json=SCAN, headers=partner_auth | key
        )
        other_body = await api.post(
            f"/api/v1/shipment/{shipment_id}/events",
            json={"location_zip": "10001"},
            headers=partner_auth | key,
        )
        shipment = (await api.get(f"/api/v1/shipment/{shipment_id}", headers=seller_auth)).json()
    finally:
        replacement.send_signal(signal.SIGTERM)
        await replacement.wait()

    assert first.status_code == 503, first.text
    assert (retried.status_code, again.status_code) == (200, 200), retried.text
    assert _descriptions(shipment).count(CRASH_AFTER_COMMIT) == 1
    assert _descriptions(again.json()) == _descriptions(shipment)
    assert other_body.status_code == 422
    assert "different request body" in other_body.json()["detail"]


async def _channels(api: httpx.AsyncClient, shipment_id: str) -> dict[str, list[str]]:
    """The recipient's messages, by template: the channels each went out on."""
    sent: dict[str, list[str]] = {}
    for message in await outbox(api, shipment_id):
        sent.setdefault(message["template"], []).append(message["channel"])
    return {template: sorted(channels) for template, channels in sent.items()}


async def _webhook_types(receiver: Receiver) -> list[str]:
    return [delivery.document["type"] for delivery in receiver.deliveries]


@pytest.fixture
async def own_database(
    own_temporal: Settings, tmp_path: Path
) -> AsyncIterator[tuple[EmbeddedPostgres, Settings]]:
    """A PostgreSQL of this test's own, to stop and start, with settings pointing at it (and at
    a Temporal server of its own, where only this test's worker polls)."""
    postgres = EmbeddedPostgres(tmp_path / "postgres")
    await create_database_if_missing(postgres.url("postgres"), "fastship")
    url = postgres.url("fastship")
    await migrate(url)
    yield postgres, own_temporal.model_copy(update={"database_url": url})
    postgres.stop()


async def _all_shipments(api: httpx.AsyncClient, seller: dict[str, str]) -> list[Any]:
    items: list[Any] = []
    params = {"limit": "100"}
    while True:
        page = (await api.get("/api/v1/seller/shipments", params=params, headers=seller)).json()
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        params["cursor"] = page["next_cursor"]


async def _load(
    api: httpx.AsyncClient,
    seller: dict[str, str],
    partner: dict[str, str],
    shipment: dict[str, Any],
    until: asyncio.Event,
    answers: list[tuple[str, httpx.Response]],
    creates: dict[str, int],
    client: int,
) -> None:
    """One client: creates (keyed), tracking reads and scans, round after round."""
    for round_number in itertools.count():
        if until.is_set():
            return
        key = f"outage-{client}-{round_number}"
        created = await create(api, seller, key=key)
        creates[key] = created.status_code
        answers.append(("create", created))
        answers.append(("track", await api.get(f"/api/v1/track/{shipment['tracking_code']}")))
        scan = {"location_zip": "07030", "description": f"scan {client}-{round_number}"}
        answers.append(("scan", await report(api, partner, shipment["id"], **scan)))
        await asyncio.sleep(0.1)


async def test_postgres_stopped_under_load_answers_503_and_loses_nothing(
    own_database: tuple[EmbeddedPostgres, Settings],
) -> None:
    postgres, settings = own_database
    worker = await start_worker(settings)
    try:
        async with serve_api(settings) as api:
            seller = await new_seller(api, settings)
            partner = await new_partner(api, settings, capacity=1000)
            shipment = await created(api, seller)
            await reported(api, partner, shipment["id"], status="in_transit")

            stop = asyncio.Event()
            answers: list[tuple[str, httpx.Response]] = []
            creates: dict[str, int] = {}
            clients = [
                asyncio.create_task(
                    _load(api, seller, partner, shipment, stop, answers, creates, client)
                )
                for client in range(4)
            ]
            await asyncio.sleep(1)
            await asyncio.to_thread(postgres.stop_fast)
            await asyncio.sleep(1)
            ready = await api.get("/health/ready")
            await asyncio.sleep(2)
            await asyncio.to_thread(postgres.restart)
            await asyncio.sleep(2)
            stop.set()
            await asyncio.gather(*clients)

            # A retry with the same key tells every create's outcome; each is stored once.
            for key in creates:
                retried = await create(api, seller, key=key)
                assert retried.status_code == 201, retried.text
            listed = await _all_shipments(api, seller)
            timeline = await api.get(f"/api/v1/shipment/{shipment['id']}", headers=seller)
    finally:
        worker.send_signal(signal.SIGTERM)
        await worker.wait()

    statuses = Counter(response.status_code for _, response in answers)
    assert 500 not in statuses, [(kind, r.text) for kind, r in answers if r.status_code == 500]
    outage = [response for _, response in answers if response.status_code == 503]
    assert outage, statuses  # the load did meet the outage
    database_refusals = [r for r in outage if "database" in r.json()["detail"].lower()]
    assert database_refusals, [r.json()["detail"] for r in outage]
    assert all(r.headers["Retry-After"].isdigit() for r in database_refusals)
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"].startswith("unreachable")
    assert len(listed) == len(creates) + 1
    # Every scan answered 200 is on the timeline, once.
    acknowledged = [
        r.request.content for kind, r in answers if kind == "scan" and r.status_code == 200
    ]
    stored = Counter(event["description"] for event in timeline.json()["timeline"])
    for body in acknowledged:
        assert stored[json.loads(body)["description"]] == 1
