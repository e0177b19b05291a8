"""The tracking cache: the committing activity stores the tracking document in Redis, the public
tracking read answers from it, and PostgreSQL answers whenever it cannot."""

import asyncio
import json
import time
import uuid
from pathlib import Path

import httpx
from redis.asyncio import Redis

from activities.publishing import ChangePublisher
from fastship.settings import Settings
from launcher.embedded import EmbeddedRedis, free_port
from models.changes import ShipmentChange
from models.domain import ShipmentStatus
from repositories import tracking_cache
from tests.helpers import eventually, serve_api
from tests.shipments import created, reported

TRACK = "/api/v1/track"


async def _cached(redis: Redis, tracking_code: str) -> tuple[int, dict[str, object]]:
    entry = await redis.hgetall(tracking_cache.key(tracking_code))
    return int(entry[b"sequence"]), json.loads(entry[b"document"])


async def test_each_change_stores_the_tracking_document_the_read_then_serves(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    redis: Redis,
) -> None:
    shipment = await created(api, seller_auth)
    code = shipment["tracking_code"]
    sequence, document = await _cached(redis, code)
    assert (sequence, document["status"]) == (2, "placed")  # placed, then assigned

    await reported(api, partner_auth, shipment["id"], status="in_transit")
    sequence, document = await _cached(redis, code)  # stored before the report was answered
    read = await api.get(f"{TRACK}/{code}")
    assert (sequence, document) == (3, read.json())
    assert document["status"] == "in_transit"

    # The read takes the cache's word for it: a document only the cache holds is what it serves.
    await redis.hset(tracking_cache.key(code), "document", json.dumps(document | {"status": "x"}))
    assert (await api.get(f"{TRACK}/{code}")).json()["status"] == "x"
    # Without the entry (expired, or Redis emptied), PostgreSQL answers the same, byte for byte:
    # a client's ETag stays current.
    await redis.delete(tracking_cache.key(code))
    from_database = await api.get(f"{TRACK}/{code}")
    assert from_database.content == read.content
    assert from_database.headers["ETag"] == read.headers["ETag"]


def _change(sequence: int, tracking_code: str) -> ShipmentChange:
    return ShipmentChange(
        shipment_id=uuid.uuid4(),
        sequence=sequence,
        status=ShipmentStatus.IN_TRANSIT,
        tracking_code=tracking_code,
        seller_id=uuid.uuid4(),
        partner_id=None,
    )


async def test_an_older_change_published_late_leaves_the_newer_document(redis: Redis) -> None:
    publisher = ChangePublisher(redis)
    code = f"late-{uuid.uuid4()}"
    await publisher.publish(_change(4, code), '{"status": "out_for_delivery"}')
    await publisher.publish(_change(3, code), '{"status": "in_transit"}')  # a retry, late
    assert await _cached(redis, code) == (4, {"status": "out_for_delivery"})
    await publisher.publish(_change(4, code), '{"status": "out_for_delivery", "again": 1}')
    assert await _cached(redis, code) == (4, {"status": "out_for_delivery", "again": 1})
    lifetime = await redis.ttl(tracking_cache.key(code))
    assert 0 < lifetime <= tracking_cache.LIFETIME.total_seconds()


async def test_a_redis_that_is_down_or_hangs_leaves_the_read_to_postgresql() -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # holds the connection open, says nothing
        writer.close()

    hanging = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    hanging_port = hanging.sockets[0].getsockname()[1]
    async with hanging:
        for port in (free_port(), hanging_port):  # nothing listens there; it never answers
            redis = Redis(port=port, socket_connect_timeout=5, socket_timeout=5)
            started = time.monotonic()
            assert await tracking_cache.read(redis, "any-code") is None
            assert time.monotonic() - started < 1  # not Redis's own 5 s timeouts
            await redis.aclose()


async def test_a_redis_back_on_an_older_snapshot_serves_no_stale_tracking(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    settings: Settings,
    tmp_path: Path,
) -> None:
    shipment = await created(api, seller_auth)
    code = shipment["tracking_code"]
    placed = (await api.get(f"{TRACK}/{code}")).content
    await reported(api, partner_auth, shipment["id"], status="in_transit")
    moved = (await api.get(f"{TRACK}/{code}")).content

    server = EmbeddedRedis(tmp_path / "redis", port=free_port(), persist=True)
    redis = Redis.from_url(server.url)
    try:
        async with serve_api(settings.model_copy(update={"redis_url": server.url})) as other:
            url = f"{TRACK}/{code}"
            entry = tracking_cache.key(code)
            # The snapshot holds the placed document; the change after it reaches memory only.
            await redis.hset(entry, mapping={"sequence": 2, "document": placed})
            await redis.save()
            await redis.hset(entry, mapping={"sequence": 3, "document": moved})
            assert (await other.get(url)).content == moved
            server.kill()  # a crash: what came after the snapshot is lost
            server.restart()  # the stale copy is back in memory
            await redis.aclose()
            redis = Redis.from_url(server.url)

            # While its hub finds Redis away and back, the API answers from PostgreSQL, never
            # from the stale copy; then the stale copies are gone.
            answers = [(await other.get(url)).content]
            await eventually(lambda: redis.exists(entry), lambda count: count == 0)
            answers.append((await other.get(url)).content)
            assert answers == [moved, moved]
    finally:
        await redis.aclose()
        server.stop()
