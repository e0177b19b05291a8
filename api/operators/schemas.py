"""What operators read: shipments as their workflows' visibility records describe them."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.accounts.schemas import Email, Name, Password
from models.domain import ShipmentStatus


class OperatorCreate(BaseModel):
    """`fastship create-operator`'s input, held to the signups' rules."""

    name: Name
    email: Email
    password: Password


class OperatorShipment(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    shipment_id: uuid.UUID
    workflow_id: str = Field(description="Open it in the Temporal UI")
    workflow_status: str | None = Field(
        description="The workflow's: RUNNING, COMPLETED, FAILED, TERMINATED, …"
    )
    status: ShipmentStatus | None
    seller_id: uuid.UUID | None
    partner_id: uuid.UUID | None
    destination_zip: str | None
    needs_attention: bool
    started_at: datetime
    closed_at: datetime | None


class OperatorShipmentPage(BaseModel):
    items: list[OperatorShipment]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")
    next: str | None = Field(description="The next page's URL; null on the last page")
