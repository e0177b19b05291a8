"""Inputs and outputs of workflows and activities. No secrets or PII beyond what a step needs."""

import uuid
from datetime import datetime

from pydantic import BaseModel

from models.domain import ShipmentStatus


class ShipmentWorkflowInput(BaseModel):
    shipment_id: uuid.UUID
    seller_id: uuid.UUID
    destination_zip: str


class ShipmentEventRecord(BaseModel):
    """A timeline event for an activity to store; `event_key` makes a retried write a no-op."""

    shipment_id: uuid.UUID
    event_key: str
    status: ShipmentStatus
    actor: str
    occurred_at: datetime
    description: str | None = None
    location_zip: str | None = None
