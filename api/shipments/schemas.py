import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    PlainSerializer,
    StringConstraints,
)

from models.domain import ShipmentStatus, ShipmentTag

ZipCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z0-9]{3,10}$"),
    Field(description="3-10 letters or digits", examples=["10001"]),
]
PhoneNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\+[1-9][0-9]{6,14}$"),
    Field(description="E.164 format", examples=["+14155550123"]),
]

Kilograms = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


def _unique_tags(tags: list[ShipmentTag]) -> list[ShipmentTag]:
    return list(dict.fromkeys(tags))


class ShipmentCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "content": "Two hardcover books",
                    "weight": 1.2,
                    "destination_zip": "10001",
                    "client_contact_email": "ana@example.com",
                    "client_contact_phone": "+14155550123",
                    "tags": ["fragile", "gift"],
                }
            ]
        }
    )

    content: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    weight: Annotated[
        Kilograms, Field(gt=0, le=25, decimal_places=3, description="More than 0, at most 25")
    ]
    destination_zip: ZipCode
    client_contact_email: EmailStr
    client_contact_phone: PhoneNumber | None = None
    tags: Annotated[list[ShipmentTag], AfterValidator(_unique_tags)] = []


class TimelineEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: ShipmentStatus
    location_zip: str | None
    description: str | None
    actor: str
    occurred_at: datetime


class ShipmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: ShipmentStatus
    content: str
    weight: Kilograms
    destination_zip: str
    client_contact_email: str
    client_contact_phone: str | None
    tags: list[ShipmentTag]
    tracking_code: str
    partner_id: uuid.UUID | None
    estimated_delivery: datetime
    needs_attention: bool
    created_at: datetime
    updated_at: datetime
    timeline: list[TimelineEventRead] = Field(description="Newest first")
