"""Waking shipments that wait for a partner when capacity frees in their zips.

Used by the workflow (a delivery or cancellation frees its partner) and by the API (a partner signs
up or raises its capacity). Each woken workflow retries its assignment at once; the oldest wait
first, and those that lose the race keep waiting on their durable timer.
"""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from models.domain import shipment_workflow_id
from models.workflow_io import ActivityName, WakeWaitingShipments
from repositories import partners, shipments
from workflows.shipment import ShipmentWorkflow

MAX_WOKEN = 100


async def wake_waiting_shipments(
    temporal: Client, session: AsyncSession, zip_codes: list[str]
) -> int:
    """Signals the oldest shipments waiting in these zips; returns how many were signalled."""
    woken = 0
    for shipment_id in await shipments.waiting_in(session, zip_codes, MAX_WOKEN):
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
            return await wake_waiting_shipments(activity.client(), session, zip_codes)
