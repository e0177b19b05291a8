"""`python -m tests.crashing_worker`: the worker, killed (SIGKILL) right after a chosen write.

The timeline write whose description is CRASH_AFTER_COMMIT commits its transaction (and publishes
it); then the process dies before Temporal hears the step finished, as a worker crashing at the
worst moment. One whose description is CRASH_BEFORE_PUBLISH dies between its commit and its
publish. A shipment whose content is CRASH_AFTER_PLACING dies once its placement committed, before
the workflow task that ran it is complete.
"""

import os
import signal

from redis.asyncio import Redis
from temporalio import activity

import worker.main
from activities.publishing import ChangePublisher
from activities.shipments import ShipmentActivities
from models.changes import ShipmentChange
from models.workflow_io import (
    ActivityName,
    NewShipment,
    Recorded,
    ShipmentEventRecord,
    StoredShipment,
)

CRASH_AFTER_COMMIT = "Crash right after this commit"
CRASH_BEFORE_PUBLISH = "Crash before this change is published"
CRASH_AFTER_PLACING = "Crash once this shipment is placed"


class _Dying(ChangePublisher):
    async def publish(self, change: ShipmentChange, tracking_document: str) -> str:  # noqa: ARG002
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable")


class CrashingShipmentActivities(ShipmentActivities):
    @activity.defn(name=ActivityName.PLACE_SHIPMENT)
    async def place_shipment(self, request: NewShipment) -> StoredShipment:
        stored = await super().place_shipment(request)
        if request.order.content == CRASH_AFTER_PLACING:
            os.kill(os.getpid(), signal.SIGKILL)
        return stored

    @activity.defn(name=ActivityName.RECORD_EVENT)
    async def record_shipment_event(self, event: ShipmentEventRecord) -> Recorded:
        if event.description == CRASH_BEFORE_PUBLISH:
            self._publisher = _Dying(Redis())  # never connects: the process dies first
        recorded = await super().record_shipment_event(event)
        if event.description == CRASH_AFTER_COMMIT:
            os.kill(os.getpid(), signal.SIGKILL)
        return recorded


if __name__ == "__main__":
    worker.main.ShipmentActivities = CrashingShipmentActivities  # type: ignore[attr-defined]
    worker.main.run()
