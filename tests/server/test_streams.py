"""Real-time streams over real servers, as Server-Sent Events and over WebSocket: two API
servers (each with its own hub) sharing Redis, the worker publishing each committed change."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from activities.publishing import ChangePublisher
from api.streams.hub import (
    WATCHER_QUEUE,
    ChangeHub,
    StreamEnded,
    Watcher,
    account_interest,
    entries_of,
)
from fastship.settings import Settings
from launcher.embedded import EmbeddedRedis, free_port
from models.changes import ShipmentChange, account_stream
from models.domain import Role, ShipmentStatus
from tests.helpers import eventually, serving_uvicorn
from tests.shipments import SHIPMENT, created, reported

API = "/api/v1"
HEARTBEAT = timedelta(seconds=1)
WITHIN = 10.0  # seconds for an event to arrive on this loaded machine
TRACKING = '{"status": "placed"}'  # the tracking document a publish caches; not read here


@dataclass
class Event:
    id: str | None
    event: str | None
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


class EventReader:
    """Reads one SSE response event by event (comments, such as heartbeats, skipped)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    async def next(self) -> Event:
        async with asyncio.timeout(WITHIN):
            fields: dict[str, str] = {}
            async for line in self._lines:
                if not line:
                    if "data" in fields:
                        return Event(fields.get("id"), fields.get("event"), fields["data"])
                    fields = {}
                    continue
                name, _, value = line.partition(":")
                if name:  # "" is a comment
                    fields[name] = value.removeprefix(" ")
            raise AssertionError("the stream ended")


@pytest.fixture(scope="module")
async def servers(settings: Settings, worker: None) -> AsyncIterator[list[str]]:
    """Two API servers, as two replicas would be; heartbeats each second."""
    quick = settings.model_copy(update={"stream_heartbeat": HEARTBEAT})
    async with (
        serving_uvicorn(quick, free_port()) as one,
        serving_uvicorn(quick, free_port()) as other,
    ):
        yield [one, other]


@asynccontextmanager
async def stream(url: str, **headers: str) -> AsyncIterator[EventReader]:
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(WITHIN, read=None)) as client,
        client.stream("GET", url, headers=headers) as response,
    ):
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        yield EventReader(response)


async def test_the_tracking_stream_shows_a_change_made_through_another_replica(
    api: httpx.AsyncClient,
    servers: list[str],
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
) -> None:
    shipment = await created(api, seller_auth)
    one, other = servers
    async with stream(f"{one}{API}/track/{shipment['tracking_code']}/stream") as events:
        now = await events.next()
        assert (now.event, now.id) == ("tracking", "2")  # placed, then assigned
        assert now.json()["status"] == "placed"
        async with httpx.AsyncClient(base_url=other) as replica:
            await reported(replica, partner_auth, shipment["id"], status="in_transit")
        moved = await events.next()
        assert moved.id == "3"
        assert moved.json()["status"] == "in_transit"
        assert moved.json()["timeline"][0]["status"] == "in_transit"
        assert shipment["client_contact_email"] not in moved.data  # no personal data


async def test_a_resumed_shipment_stream_gets_exactly_the_events_it_missed_in_order(
    api: httpx.AsyncClient,
    servers: list[str],
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
) -> None:
    shipment = await created(api, seller_auth)
    url = f"{servers[0]}{SHIPMENT}/{shipment['id']}/events/stream"
    await reported(api, partner_auth, shipment["id"], status="in_transit")
    await reported(api, partner_auth, shipment["id"], location_zip="10001", description="Hub")
    async with stream(url, **seller_auth, **{"Last-Event-ID": "2"}) as events:
        missed = [await events.next(), await events.next()]
        assert [(e.id, e.json()["status"]) for e in missed] == [
            ("3", "in_transit"),
            ("4", "in_transit"),
        ]
        await reported(api, partner_auth, shipment["id"], status="out_for_delivery")
        live = await events.next()
        assert (live.id, live.json()["status"]) == ("5", "out_for_delivery")


async def test_another_sellers_shipment_stream_is_not_found(
    api: httpx.AsyncClient,
    servers: list[str],
    seller_auth: dict[str, str],
    sign_up_seller: Any,
    partner_auth: dict[str, str],
) -> None:
    shipment = await created(api, seller_auth)
    stranger = await sign_up_seller()
    path = f"{SHIPMENT}/{shipment['id']}/events/stream"
    async with httpx.AsyncClient(base_url=servers[0]) as client:
        response = await client.get(path, headers=stranger)
    assert response.status_code == 404
    assert response.json()["code"] == "shipment-not-found"


async def test_the_seller_feed_resumes_from_its_last_id_and_logout_ends_it(
    api: httpx.AsyncClient,
    servers: list[str],
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
) -> None:
    async with stream(f"{servers[0]}{API}/seller/events", **seller_auth) as feed:
        shipment = await created(api, seller_auth)
        placed = await feed.next()
        assert placed.event == "change"
        assert placed.json() == {"shipment_id": shipment["id"], "sequence": 2, "status": "placed"}
    await reported(api, partner_auth, shipment["id"], status="in_transit")  # while away
    assert placed.id is not None
    async with stream(
        f"{servers[1]}{API}/seller/events", **seller_auth, **{"Last-Event-ID": placed.id}
    ) as feed:
        missed = await feed.next()
        assert (missed.json()["sequence"], missed.json()["status"]) == (3, "in_transit")
        assert (await api.post(f"{API}/seller/logout", headers=seller_auth)).status_code == 204
        ended = await feed.next()  # within a heartbeat
        assert ended.event == "end"
        assert "revoked" in ended.data


async def _messages(socket: ClientConnection, count: int) -> list[dict[str, Any]]:
    """The next `count` messages that are not heartbeats."""
    found: list[dict[str, Any]] = []
    async with asyncio.timeout(WITHIN):
        while len(found) < count:
            message = json.loads(await socket.recv())
            if message["event"] != "heartbeat":
                found.append(message)
    return found


def _socket_url(server: str, path: str) -> str:
    return server.replace("http://", "ws://", 1) + path


async def test_a_websocket_takes_the_token_and_last_id_in_its_first_message(
    api: httpx.AsyncClient,
    servers: list[str],
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
) -> None:
    shipment = await created(api, seller_auth)
    await reported(api, partner_auth, shipment["id"], status="in_transit")
    token = seller_auth["Authorization"].removeprefix("Bearer ")
    url = _socket_url(servers[1], f"{SHIPMENT}/{shipment['id']}/events/stream")
    async with connect(url) as socket:
        await socket.send(json.dumps({"token": token, "last_event_id": "2"}))
        [missed] = await _messages(socket, 1)
        assert (missed["event"], missed["id"]) == ("timeline", "3")
        assert missed["data"]["status"] == "in_transit"
        await reported(api, partner_auth, shipment["id"], location_zip="10001")
        [live] = await _messages(socket, 1)
        assert (live["id"], live["data"]["location_zip"]) == ("4", "10001")


async def test_a_websocket_without_a_valid_token_is_refused_and_closed(
    api: httpx.AsyncClient,
    servers: list[str],
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
) -> None:
    shipment = await created(api, seller_auth)
    url = _socket_url(servers[0], f"{SHIPMENT}/{shipment['id']}/events/stream")
    async with connect(url) as socket:
        await socket.send(json.dumps({"token": "not-a-token"}))
        [refusal] = await _messages(socket, 1)
        assert (refusal["event"], refusal["data"]["status"]) == ("error", 401)
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401


async def test_the_public_tracking_websocket_needs_no_token_and_shows_no_personal_data(
    api: httpx.AsyncClient,
    servers: list[str],
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
) -> None:
    shipment = await created(api, seller_auth)
    url = _socket_url(servers[0], f"{API}/track/{shipment['tracking_code']}/stream")
    async with connect(url) as socket:
        await socket.send(json.dumps({}))
        [now] = await _messages(socket, 1)
        assert (now["event"], now["id"], now["data"]["status"]) == ("tracking", "2", "placed")
        await reported(api, partner_auth, shipment["id"], status="in_transit")
        [moved] = await _messages(socket, 1)
        assert (moved["id"], moved["data"]["status"]) == ("3", "in_transit")
        assert shipment["client_contact_email"] not in json.dumps(moved)


def _change(seller_id: uuid.UUID, sequence: int) -> ShipmentChange:
    return ShipmentChange(
        shipment_id=uuid.uuid4(),
        sequence=sequence,
        status=ShipmentStatus.IN_TRANSIT,
        tracking_code=f"code-{sequence}",
        seller_id=seller_id,
        partner_id=None,
    )


async def _drain(watcher: Watcher) -> None:
    """Takes what the watcher had queued, until its end."""
    while await watcher.next(WITHIN):
        pass


async def test_a_client_that_falls_behind_is_dropped_while_a_fast_one_gets_everything(
    redis: Redis, redis_url: str
) -> None:
    seller_id = uuid.uuid4()
    hub = ChangeHub(redis_url)
    await hub.start()
    publisher = ChangePublisher(redis)
    changes = WATCHER_QUEUE * 2
    try:
        with hub.watch(account_interest(Role.SELLER, seller_id)) as slow:
            with hub.watch(account_interest(Role.SELLER, seller_id)) as fast:

                async def receive_all() -> list[int]:
                    got: list[int] = []
                    while len(got) < changes:
                        entry = await fast.next(WITHIN)
                        assert entry is not None, f"only {len(got)} changes arrived"
                        got.append(entry[1].sequence)
                    return got

                receiving = asyncio.create_task(receive_all())
                for sequence in range(1, changes + 1):
                    await publisher.publish(_change(seller_id, sequence), TRACKING)
                assert await receiving == list(range(1, changes + 1))
            with pytest.raises(StreamEnded, match="fell too far behind"):
                await _drain(slow)
    finally:
        await hub.stop()


async def _published(publisher: ChangePublisher, change: ShipmentChange) -> None:
    """Published, tried again after a dropped connection (as Temporal retries the activity)."""
    for attempt in range(3):
        try:
            await publisher.publish(change, TRACKING)
            return
        except RedisConnectionError:
            if attempt == 2:
                raise


async def test_a_redis_restart_ends_the_streams_and_a_resumed_feed_misses_nothing(
    tmp_path: Path,
) -> None:
    server = EmbeddedRedis(tmp_path / "redis", port=free_port())
    seller_id = uuid.uuid4()
    feed = account_stream(Role.SELLER, seller_id)
    hub = ChangeHub(server.url)
    client = Redis.from_url(server.url)
    publisher = ChangePublisher(client)
    try:
        await hub.start()
        with hub.watch(account_interest(Role.SELLER, seller_id)) as watcher:
            await publisher.publish(_change(seller_id, 1), TRACKING)
            entry = await watcher.next(WITHIN)
            assert entry is not None
            last_seen = entry[0]
            server.stop()  # as a restart does: it saves its data on the way down
            with pytest.raises(StreamEnded, match="unavailable"):
                await watcher.next(WITHIN)
        server.restart()
        await _published(publisher, _change(seller_id, 2))  # while the client was away
        await eventually(lambda: asyncio.sleep(0, hub.available), bool)
        with hub.watch(account_interest(Role.SELLER, seller_id)) as watcher:
            missed = entries_of(await client.xrange(feed, min=f"({last_seen}", max="+"))
            assert [change.sequence for _, change in missed] == [2]
            await publisher.publish(_change(seller_id, 3), TRACKING)
            live: list[int] = []
            while 3 not in live:
                entry = await watcher.next(WITHIN)
                assert entry is not None, f"only {live} arrived"
                live.append(entry[1].sequence)
            # 2 comes again only if the hub read it after this watch began: a duplicate, which a
            # feed drops by its id.
            assert live in ([3], [2, 3])
    finally:
        await hub.stop()  # bounded, though its read was on a connection the restart dropped
        await client.aclose()
        server.stop()
