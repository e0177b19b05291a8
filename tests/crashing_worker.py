"""`python -m tests.crashing_worker`: the worker, killed (SIGKILL) right after a chosen write.

The timeline write whose description is CRASH_AFTER_COMMIT commits its transaction; then the
process dies before Temporal hears the step finished, as a worker crashing at the worst moment.
"""

import os
import signal

from temporalio import activity

import worker.main
from activities.shipments import ShipmentActivities
from models.workflow_io import ActivityName, Recorded, ShipmentEventRecord

CRASH_AFTER_COMMIT = "Crash right after this commit"


class CrashingShipmentActivities(ShipmentActivities):
    @activity.defn(name=ActivityName.RECORD_EVENT)
    async def record_shipment_event(self, event: ShipmentEventRecord) -> Recorded:
        recorded = await super().record_shipment_event(event)
        if event.description == CRASH_AFTER_COMMIT:
            os.kill(os.getpid(), signal.SIGKILL)
        return recorded


if __name__ == "__main__":
    worker.main.ShipmentActivities = CrashingShipmentActivities  # type: ignore[attr-defined]
    worker.main.run()
