"""The activity that wakes shipments waiting for a partner whose capacity a shipment freed."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from fastship.capacity import MAX_WOKEN, signal_capacity_freed
from models.activity_steps import AssignmentSteps
from models.workflow_io import ActivityName, WakeWaitingShipments
from repositories import partners, shipments


class AssignmentActivities(AssignmentSteps):
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    @activity.defn(name=ActivityName.WAKE_WAITING_SHIPMENTS)
    async def wake_waiting_shipments(self, request: WakeWaitingShipments) -> int:
        async with self._sessions() as session:
            zip_codes = await partners.zip_codes(session, request.partner_id)
            waiting = await shipments.waiting_in(session, zip_codes, MAX_WOKEN)
        return await signal_capacity_freed(activity.client(), waiting)
