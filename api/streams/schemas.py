"""What a seller's or partner's feed tells of a change: which shipment, its sequence and status."""

import uuid

from pydantic import BaseModel

from models.changes import ShipmentChange
from models.domain import ShipmentStatus


class FeedChange(BaseModel):
    shipment_id: uuid.UUID
    sequence: int
    status: ShipmentStatus

    @classmethod
    def of(cls, change: ShipmentChange) -> "FeedChange":
        return cls(shipment_id=change.shipment_id, sequence=change.sequence, status=change.status)
