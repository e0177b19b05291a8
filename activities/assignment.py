"""Waking shipments that wait for a partner when capacity frees in their zips.

Used by the workflow (a delivery or cancellation frees its partner) and by the API (a partner signs
up or raises its capacity). Each woken workflow retries its assignment at once; the oldest wait
first, and those that lose the race keep waiting on their durable timer.
"""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from models.domain import shipment_workflow_id
from models.workflow_io import ActivityName, WakeWaitingShipments
from repositories import partners, shipments
from workflows.shipment import ShipmentWorkflow

MAX_WOKEN = 100


async def waiting_shipments(session: AsyncSession, zip_codes: list[str]) -> list[uuid.UUID]:
    """The oldest shipments waiting for a partner in these zips."""
    return await shipments.waiting_in(session, zip_codes, MAX_WOKEN)


async def signal_capacity_freed(temporal: Client, shipment_ids: list[uuid.UUID]) -> int:
    """Tells each shipment's workflow to try its assignment now; returns how many were told."""
    woken = 0
    for shipment_id in shipment_ids:
        handle = temporal.get_workflow_handle(shipment_workflow_id(shipment_id))
        try:
            await handle.signal(ShipmentWorkflow.capacity_freed)
        except RPCError as exc:
            if exc.status is not RPCStatusCode.NOT_FOUND:
                raise
            continue  # the workflow has just ended: nothing to wake
        woken += 1
    return woken


class AssignmentActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    @activity.defn(name=ActivityName.WAKE_WAITING_SHIPMENTS)
    async def wake_waiting_shipments(self, request: WakeWaitingShipments) -> int:
        async with self._sessions() as session:
            zip_codes = await partners.zip_codes(session, request.partner_id)
            waiting = await waiting_shipments(session, zip_codes)
        return await signal_capacity_freed(activity.client(), waiting)
