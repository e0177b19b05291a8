"""Records the event histories the replay tests check new workflow code against.

Run after a deliberate, versioned change to a workflow: `python -m tests.histories.record`.
Activities are stand-ins: a history keeps only their results, which is all a replay reads.
"""

import asyncio
import uuid
from pathlib import Path

from temporalio import activity
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from fastship.embedded import temporal_cli_path
from models.domain import SHIPMENT_TASK_QUEUE, SearchAttributes, shipment_workflow_id
from models.workflow_io import ShipmentEventRecord, ShipmentWorkflowInput
from workflows.shipment import ShipmentWorkflow

HISTORIES = Path(__file__).parent


@activity.defn(name="record_shipment_event")
async def recorded(event: ShipmentEventRecord) -> bool:
    return True


async def record_placed_shipment() -> None:
    async with (
        await WorkflowEnvironment.start_local(
            dev_server_existing_path=temporal_cli_path(),
            search_attributes=SearchAttributes.ALL,
            data_converter=pydantic_data_converter,
        ) as env,
        Worker(
            env.client,
            task_queue=SHIPMENT_TASK_QUEUE,
            workflows=[ShipmentWorkflow],
            activities=[recorded],
        ),
    ):
        shipment = ShipmentWorkflowInput(
            shipment_id=uuid.uuid4(), seller_id=uuid.uuid4(), destination_zip="10001"
        )
        handle = await env.client.start_workflow(
            ShipmentWorkflow.run,
            shipment,
            id=shipment_workflow_id(shipment.shipment_id),
            task_queue=SHIPMENT_TASK_QUEUE,
        )
        # As the API's create does: once this answers, `placed` is recorded and the workflow waits.
        await handle.execute_update(ShipmentWorkflow.wait_until_placed)
        history = await handle.fetch_history()
        (HISTORIES / "shipment_placed.json").write_text(history.to_json())


if __name__ == "__main__":
    asyncio.run(record_placed_shipment())
