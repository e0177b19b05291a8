"""ShipmentWorkflow and its activity, on the Temporal dev server and PostgreSQL."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment
from temporalio.worker import Replayer

from activities.shipments import ShipmentActivities
from models.accounts import Seller
from models.domain import SHIPMENT_TASK_QUEUE, SearchAttributes, ShipmentStatus
from models.shipments import Shipment, ShipmentEvent
from models.workflow_io import ShipmentEventRecord, ShipmentWorkflowInput
from tests.conftest import HISTORIES
from workflows.shipment import ShipmentWorkflow


async def _store_shipment(sessions: async_sessionmaker[AsyncSession]) -> Shipment:
    async with sessions.begin() as session:
        seller = Seller(name="Acme", email=f"{uuid.uuid4()}@example.com", password_hash="x")
        session.add(seller)
        await session.flush()
        shipment = Shipment(
            seller_id=seller.id,
            status=ShipmentStatus.PLACED,
            content="Books",
            weight=Decimal("1.5"),
            destination_zip="10001",
            client_contact_email="ana@example.com",
            tracking_code=uuid.uuid4().hex,
            estimated_delivery=datetime.now(UTC) + timedelta(days=3),
        )
        session.add(shipment)
    return shipment


async def _timeline(
    sessions: async_sessionmaker[AsyncSession], shipment_id: uuid.UUID
) -> list[ShipmentEvent]:
    async with sessions() as session:
        events = await session.scalars(
            select(ShipmentEvent).where(ShipmentEvent.shipment_id == shipment_id)
        )
        return list(events)


async def _run_until_placed(
    temporal: Client, sessions: async_sessionmaker[AsyncSession]
) -> tuple[Shipment, WorkflowHandle[ShipmentWorkflow, ShipmentStatus]]:
    shipment = await _store_shipment(sessions)
    handle = await temporal.start_workflow(
        ShipmentWorkflow.run,
        ShipmentWorkflowInput(
            shipment_id=shipment.id, seller_id=shipment.seller_id, destination_zip="10001"
        ),
        id=f"shipment-{shipment.id}",
        task_queue=SHIPMENT_TASK_QUEUE,
    )
    assert await handle.execute_update(ShipmentWorkflow.wait_until_placed) is ShipmentStatus.PLACED
    return shipment, handle


async def test_workflow_records_placed_and_is_searchable(
    temporal: Client, worker: None, sessions: async_sessionmaker[AsyncSession]
) -> None:
    shipment, handle = await _run_until_placed(temporal, sessions)

    [event] = await _timeline(sessions, shipment.id)
    assert event.status is ShipmentStatus.PLACED
    assert event.actor == f"seller:{shipment.seller_id}"
    assert await handle.query(ShipmentWorkflow.status) is ShipmentStatus.PLACED

    attributes = (await handle.describe()).typed_search_attributes
    assert attributes.get(SearchAttributes.SHIPMENT_STATUS) == "placed"
    assert attributes.get(SearchAttributes.SELLER_ID) == str(shipment.seller_id)
    assert attributes.get(SearchAttributes.DESTINATION_ZIP) == "10001"
    assert attributes.get(SearchAttributes.NEEDS_ATTENTION) is False


async def test_every_activity_in_the_history_has_a_summary(
    temporal: Client, worker: None, sessions: async_sessionmaker[AsyncSession]
) -> None:
    _, handle = await _run_until_placed(temporal, sessions)

    history = await handle.fetch_history()
    scheduled = [
        event
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]
    summaries = [
        pydantic_data_converter.payload_converter.from_payload(event.user_metadata.summary, str)
        for event in scheduled
    ]
    assert summaries == ["Record the 'placed' timeline event"]


async def test_recording_an_event_twice_stores_it_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    shipment = await _store_shipment(sessions)
    event = ShipmentEventRecord(
        shipment_id=shipment.id,
        event_key="placed",
        status=ShipmentStatus.PLACED,
        actor="seller:someone",
        occurred_at=datetime.now(UTC),
    )
    activities = ShipmentActivities(sessions)
    env = ActivityEnvironment()

    assert await env.run(activities.record_shipment_event, event) is True
    assert await env.run(activities.record_shipment_event, event) is False
    assert len(await _timeline(sessions, shipment.id)) == 1


async def test_recording_an_event_for_an_unknown_shipment_fails_for_good(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    event = ShipmentEventRecord(
        shipment_id=uuid.uuid4(),
        event_key="placed",
        status=ShipmentStatus.PLACED,
        actor="seller:someone",
        occurred_at=datetime.now(UTC),
    )
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(ShipmentActivities(sessions).record_shipment_event, event)
    assert raised.value.non_retryable
    assert raised.value.type == "ShipmentNotStored"


async def test_workflow_code_replays_the_recorded_history() -> None:
    """Fails when a change to the workflow would break shipments already running."""
    history = WorkflowHistory.from_json(
        "shipment-recorded", (HISTORIES / "shipment_placed.json").read_text()
    )
    replayer = Replayer(workflows=[ShipmentWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)
