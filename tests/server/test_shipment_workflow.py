"""ShipmentWorkflow's history and activities: summaries, idempotent writes, replay."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.publishing import ChangePublisher
from activities.shipments import ShipmentActivities
from api.streams.hub import entries_of
from fastship.settings import Settings
from models.accounts import Partner, Seller
from models.changes import ShipmentChange, account_stream
from models.domain import Role, ShipmentStatus
from models.notifications import Notification
from models.shipments import Shipment, ShipmentEvent
from models.workflow_io import NewShipment, ShipmentEventRecord, ShipmentOrder
from tests.helpers import eventually
from tests.shipments import created, deliver

SUMMARIZED = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    EventType.EVENT_TYPE_MARKER_RECORDED,  # local activities
    EventType.EVENT_TYPE_TIMER_STARTED,
}


def _is_patch_marker(event: HistoryEvent) -> bool:
    """The marker of a versioned change (`workflow.patched`): no step, nothing to summarize."""
    return event.marker_recorded_event_attributes.marker_name == "core_patch"


async def test_every_activity_and_timer_in_a_history_has_a_summary(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    temporal: Client,
) -> None:
    shipment = await created(api, seller_auth)
    await deliver(api, partner_auth, shipment["id"])

    handle = temporal.get_workflow_handle(f"shipment-{shipment['id']}")

    async def summaries_so_far() -> list[str]:
        history = await handle.fetch_history()
        return [
            pydantic_data_converter.payload_converter.from_payload(event.user_metadata.summary, str)
            for event in history.events
            if event.event_type in SUMMARIZED and not _is_patch_marker(event)
        ]

    summaries = await eventually(summaries_so_far, lambda found: "Review reminder" in found)
    assert all(summaries), summaries
    assert summaries[0] == "Store the shipment and try to assign a partner"
    assert {
        "Send partner_assigned (email), shipped (email)",
        "Pickup deadline",
        "Delivery estimate",
    } <= set(summaries)
    assert {"Record in_transit", "Record out_for_delivery", "Record delivered"} <= set(summaries)
    assert {
        "Send out_for_delivery (email), out_for_delivery (sms)",
        "Send delivered (email), delivered (sms)",
    } <= set(summaries)


async def _stored_accounts(sessions: async_sessionmaker[AsyncSession]) -> uuid.UUID:
    async with sessions.begin() as session:
        seller = Seller(name="Acme", email=f"{uuid.uuid4()}@example.com", password_hash="x")
        partner = Partner(
            name="Swift",
            email=f"{uuid.uuid4()}@example.com",
            password_hash="x",
            serviceable_zip_codes=["10001"],
            max_handling_capacity=5,
            email_verified_at=datetime.now(UTC),
        )
        session.add_all([seller, partner])
    return seller.id


def _placement(seller_id: uuid.UUID) -> NewShipment:
    now = datetime.now(UTC)
    return NewShipment(
        shipment_id=uuid.uuid4(),
        seller_id=seller_id,
        idempotency_key=None,
        fingerprint="f" * 64,
        order=ShipmentOrder(
            content="Books",
            weight=Decimal("1.5"),
            destination_zip="10001",
            client_contact_email="ana@example.com",
        ),
        placed_at=now,
        estimated_delivery=now + timedelta(days=3),
        sequence=1,
    )


async def _count(sessions: async_sessionmaker[AsyncSession], model: type[object]) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_a_retried_placement_stores_one_shipment_and_one_message_each(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, redis: Redis
) -> None:
    activities = ShipmentActivities(sessions, settings, ChangePublisher(redis))
    request = _placement(await _stored_accounts(sessions))

    first = await ActivityEnvironment().run(activities.place_shipment, request)
    retried = await ActivityEnvironment().run(activities.place_shipment, request)

    assert (retried.partner_id, retried.events_recorded) == (first.partner_id, 2)
    assert first.partner_id is not None
    # The retry hands back what the first run queued and nobody has sent yet.
    assert len(first.outgoing.notifications) == 2  # the recipient and the partner
    assert sorted(retried.outgoing.notifications) == sorted(first.outgoing.notifications)
    assert await _count(sessions, Shipment) == 1
    assert await _count(sessions, ShipmentEvent) == 2
    assert await _count(sessions, Notification) == 2


def _pickup(placed: NewShipment) -> ShipmentEventRecord:
    """The third event of a placed and assigned shipment: its pickup."""
    return ShipmentEventRecord(
        shipment_id=placed.shipment_id,
        sequence=3,
        change_id="pickup",
        status=ShipmentStatus.IN_TRANSIT,
        actor="partner:someone",
        occurred_at=datetime.now(UTC),
    )


async def test_recording_an_event_twice_stores_it_once(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, redis: Redis
) -> None:
    activities = ShipmentActivities(sessions, settings, ChangePublisher(redis))
    request = _placement(await _stored_accounts(sessions))
    await ActivityEnvironment().run(activities.place_shipment, request)
    event = _pickup(request)

    first = await ActivityEnvironment().run(activities.record_shipment_event, event)
    retried = await ActivityEnvironment().run(activities.record_shipment_event, event)
    assert (first.recorded, retried.recorded) == (True, False)
    assert await _count(sessions, ShipmentEvent) == 3


class _RedisDown(ChangePublisher):
    """Publishes nothing: as a worker that died between the commit and the publish."""

    async def publish(self, change: ShipmentChange, tracking_document: str) -> str:  # noqa: ARG002
        raise RedisConnectionError(f"Redis is down: {change.shipment_id} not published")


async def test_a_change_committed_but_not_published_is_published_by_the_retry(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, redis: Redis
) -> None:
    request = _placement(await _stored_accounts(sessions))
    working = ShipmentActivities(sessions, settings, ChangePublisher(redis))
    await ActivityEnvironment().run(working.place_shipment, request)
    pickup = _pickup(request)
    feed = account_stream(Role.SELLER, request.seller_id)

    failing = ShipmentActivities(sessions, settings, _RedisDown(redis))
    with pytest.raises(RedisConnectionError):
        await ActivityEnvironment().run(failing.record_shipment_event, pickup)
    assert await _count(sessions, ShipmentEvent) == 3  # committed
    assert [c.sequence for _, c in entries_of(await redis.xrange(feed))] == [2]  # not published

    retried = await ActivityEnvironment().run(working.record_shipment_event, pickup)
    assert retried.recorded is False  # it found the change stored, and published it
    published = [(c.sequence, c.status) for _, c in entries_of(await redis.xrange(feed))]
    assert published == [(2, ShipmentStatus.PLACED), (3, ShipmentStatus.IN_TRANSIT)]


async def test_recording_an_event_for_an_unknown_shipment_fails_for_good(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, redis: Redis
) -> None:
    event = ShipmentEventRecord(
        shipment_id=uuid.uuid4(),
        sequence=1,
        change_id="placed",
        status=ShipmentStatus.PLACED,
        actor="seller:someone",
        occurred_at=datetime.now(UTC),
    )
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(
            ShipmentActivities(sessions, settings, ChangePublisher(redis)).record_shipment_event,
            event,
        )
    assert raised.value.non_retryable


async def test_a_database_error_in_an_activity_carries_no_sql_parameters(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, redis: Redis
) -> None:
    await _stored_accounts(sessions)
    request = _placement(uuid.uuid4())  # no such seller: the insert breaks a foreign key
    request.order.client_contact_email = "secret-recipient@example.com"

    with pytest.raises(Exception) as raised:  # noqa: PT011 - any database error will do
        await ActivityEnvironment().run(
            ShipmentActivities(sessions, settings, ChangePublisher(redis)).place_shipment, request
        )

    assert "secret-recipient@example.com" not in str(raised.value)
    assert "parameters hidden" in str(raised.value)
