"""ShipmentWorkflow: one durable workflow per shipment, from placed until delivered or cancelled."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from models.domain import SearchAttributes, ShipmentStatus
from models.workflow_io import ShipmentEventRecord, ShipmentWorkflowInput

with workflow.unsafe.imports_passed_through():
    from activities.shipments import ShipmentActivities

DATABASE_WRITE_TIMEOUT = timedelta(seconds=30)
DATABASE_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=30)
)


@workflow.defn
class ShipmentWorkflow:
    def __init__(self) -> None:
        self._status = ShipmentStatus.PLACED
        self._placed_recorded = False

    @workflow.run
    async def run(self, shipment: ShipmentWorkflowInput) -> ShipmentStatus:
        workflow.upsert_search_attributes(
            [
                SearchAttributes.SHIPMENT_STATUS.value_set(self._status),
                SearchAttributes.SELLER_ID.value_set(str(shipment.seller_id)),
                SearchAttributes.DESTINATION_ZIP.value_set(shipment.destination_zip),
                SearchAttributes.NEEDS_ATTENTION.value_set(False),
            ]
        )
        await workflow.execute_activity_method(
            ShipmentActivities.record_shipment_event,
            ShipmentEventRecord(
                shipment_id=shipment.shipment_id,
                event_key=ShipmentStatus.PLACED,
                status=ShipmentStatus.PLACED,
                actor=f"seller:{shipment.seller_id}",
                occurred_at=workflow.now(),
                description="Shipment placed",
            ),
            start_to_close_timeout=DATABASE_WRITE_TIMEOUT,
            retry_policy=DATABASE_RETRY,
            summary="Record the 'placed' timeline event",
        )
        self._placed_recorded = True
        workflow.set_current_details(f"**Status:** {self._status}, waiting for a delivery partner")
        await workflow.wait_condition(lambda: self._status.is_final)
        return self._status

    @workflow.update
    async def wait_until_placed(self) -> ShipmentStatus:
        """Answers once `placed` is stored: the API's create waits for it."""
        await workflow.wait_condition(lambda: self._placed_recorded)
        return self._status

    @workflow.query
    def status(self) -> ShipmentStatus:
        return self._status
