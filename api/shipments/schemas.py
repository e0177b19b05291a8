import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    PlainSerializer,
    StringConstraints,
)

from api.text import NoControlCharacters, NoControlCharactersButNewlines
from models.domain import Language, ShipmentStatus, ShipmentTag

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
Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    NoControlCharacters,
]


def _to_the_gram(weight: float) -> float:
    grams = round(weight, 3)
    if grams <= 0:
        raise ValueError("must be at least 0.001 kg once rounded to the gram")
    return grams


# A JSON number (never a string), any precision, stored rounded to the gram.
Weight = Annotated[
    float,
    Field(
        gt=0,
        le=25,
        strict=True,
        allow_inf_nan=False,
        description="kg: more than 0, at most 25; rounded to the gram",
    ),
    AfterValidator(_to_the_gram),
]
Kilograms = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


def _unique(tags: list[ShipmentTag]) -> list[ShipmentTag]:
    return list(dict.fromkeys(tags))


Tags = Annotated[list[ShipmentTag], Field(max_length=len(ShipmentTag)), AfterValidator(_unique)]


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

    content: Description
    weight: Weight
    destination_zip: ZipCode
    client_contact_email: Annotated[EmailStr, Field(max_length=320)]
    client_contact_phone: PhoneNumber | None = None
    tags: Tags = []
    recipient_language: Language | None = Field(
        None, description="The language of the recipient's messages; the seller's by default"
    )


class ShipmentEventCreate(BaseModel):
    """A partner's report: a status change, a location scan, or a failed delivery attempt."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "in_transit", "location_zip": "10001", "description": "Picked up"},
                {"location_zip": "07030", "description": "Arrived at the Hoboken hub"},
                {"status": "out_for_delivery"},
                {"status": "delivered", "verification_code": "493021"},
                {"status": "in_transit", "description": "Nobody home; will retry tomorrow"},
            ]
        }
    )

    status: ShipmentStatus | None = Field(
        None, description="The new status; omit for a location scan"
    )
    location_zip: ZipCode | None = None
    description: Description | None = Field(
        None, description="Required for a failed delivery attempt (out_for_delivery → in_transit)"
    )
    verification_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")] | None = Field(
        None, description="The recipient's 6-digit delivery code; required for `delivered`"
    )


class ShipmentCancel(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "The customer changed their mind"}, {}]}
    )

    reason: Description | None = None


class TagAdd(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"tag": "fragile"}]})

    tag: ShipmentTag


class TimelineEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sequence: int
    status: ShipmentStatus
    location_zip: str | None
    description: str | None
    actor: str
    occurred_at: datetime


class PartnerSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str


class ShipmentSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: ShipmentStatus
    content: str
    weight: Kilograms
    destination_zip: str
    tags: list[ShipmentTag]
    partner: PartnerSummary | None
    estimated_delivery: datetime
    needs_attention: bool
    created_at: datetime
    updated_at: datetime


class ShipmentRead(ShipmentSummary):
    client_contact_email: str
    client_contact_phone: str | None
    recipient_language: Language = Field(validation_alias="language")
    tracking_code: str
    timeline: list[TimelineEventRead] = Field(description="Newest first")


class ShipmentCounts(BaseModel):
    by_status: dict[ShipmentStatus, int] = Field(description="Every status, zero included")
    needs_attention: int = Field(description="Active shipments flagged for attention")
    total: int


class ShipmentPage(BaseModel):
    items: list[ShipmentSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")
    next: str | None = Field(description="The next page's URL; null on the last page")


class TrackingEvent(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: ShipmentStatus
    location_zip: str | None
    description: str | None
    occurred_at: datetime


class TrackingRead(BaseModel):
    """The public view of a shipment: no recipient contact details, no account ids."""

    status: ShipmentStatus
    partner_name: str | None
    estimated_delivery: datetime
    timeline: list[TrackingEvent] = Field(description="Newest first")


class ReviewCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"rating": 5, "comment": "On time and well packed."}]}
    )

    rating: Annotated[int, Field(ge=1, le=5, strict=True)]
    comment: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, max_length=1000),
            NoControlCharactersButNewlines,
        ]
        | None
    ) = None


class ReviewRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    rating: int
    comment: str | None
    created_at: datetime


class ReviewForm(BaseModel):
    """What the review page shows, and what it accepts."""

    content: str
    partner_name: str | None
    delivered: bool
    review: ReviewRead | None = Field(description="The review, once given")
    rating: dict[str, Any] = {"minimum": 1, "maximum": 5}
    comment_max_length: int = 1000
