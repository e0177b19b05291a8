"""Waking the shipments that wait for a partner when capacity frees in their zips: by the API (a
partner verified, or given more room) and by an activity (a delivery or a cancellation freed its
partner) alike. Each woken workflow retries its assignment at once; the oldest wait first, and
those that lose the race keep waiting on their durable timer."""

import uuid

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from models.domain import CAPACITY_FREED_SIGNAL
from models.workflow_ids import shipment_workflow_id

MAX_WOKEN = 100  # shipments woken at once: the oldest waiting


async def signal_capacity_freed(temporal: Client, shipment_ids: list[uuid.UUID]) -> int:
    """Tells each shipment's workflow to try its assignment now; returns how many were told."""
    woken = 0
    for shipment_id in shipment_ids:
        handle = temporal.get_workflow_handle(shipment_workflow_id(shipment_id))
        try:
            await handle.signal(CAPACITY_FREED_SIGNAL)
        except RPCError as exc:
            if exc.status is not RPCStatusCode.NOT_FOUND:
                raise
            continue  # the workflow has just ended: nothing to wake
        woken += 1
    return woken
