"""Activities that write shipment state and timeline events to PostgreSQL."""

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.shipments import Shipment, ShipmentEvent
from models.workflow_io import ShipmentEventRecord


class ShipmentActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    @activity.defn
    async def record_shipment_event(self, event: ShipmentEventRecord) -> bool:
        """Append the event and move the shipment to its status, in one transaction.

        Returns False when the event was already recorded (a retried activity), changing nothing.
        """
        async with self._sessions.begin() as session:
            try:
                inserted = await session.scalar(
                    insert(ShipmentEvent)
                    .values(**event.model_dump())
                    .on_conflict_do_nothing(constraint="uq_shipment_events_shipment_key")
                    .returning(ShipmentEvent.id)
                )
            except IntegrityError as exc:  # the foreign key: retrying cannot help
                raise ApplicationError(
                    f"shipment {event.shipment_id} is not stored",
                    type="ShipmentNotStored",
                    non_retryable=True,
                ) from exc
            if inserted is None:
                return False
            await session.execute(
                update(Shipment).where(Shipment.id == event.shipment_id).values(status=event.status)
            )
            return True
