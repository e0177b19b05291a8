"""Request and response bodies of the seller webhook routes."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue, StringConstraints

from api.text import NoControlCharacters
from fastship.webhook_destinations import RefusedDestination, parse_webhook_url
from models.webhooks import MAX_URL_LENGTH, DeliveryStatus, WebhookEndpoint, WebhookEventType

ENDPOINT_ID_EXAMPLE = "0d9f5a4e-6c1b-4e8a-9a3f-2b7c5d1e8f40"
DELIVERY_ID_EXAMPLE = "3f2b1a0c-9d8e-5f7a-8b6c-1d2e3f4a5b6c"
SHIPMENT_ID_EXAMPLE = "7f0c2a52-4b8e-4a5e-9a57-3f1f2a7e9b11"
ENDPOINT_EXAMPLE: dict[str, JsonValue] = {
    "id": ENDPOINT_ID_EXAMPLE,
    "url": "https://hooks.acme.example/fastship",
    "event_types": ["shipment.in_transit", "shipment.delivered"],
    "verified": True,
    "verified_at": "2026-11-26T09:30:01Z",
    "created_at": "2026-11-26T09:30:00Z",
}


def _well_formed(url: str) -> str:
    try:
        parse_webhook_url(url)
    except RefusedDestination as exc:
        raise ValueError(str(exc)) from None
    return url


WebhookUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_URL_LENGTH),
    NoControlCharacters,
    AfterValidator(_well_formed),
    Field(
        description="An https URL whose host resolves to public internet addresses only; "
        "redirects are not followed",
        examples=["https://hooks.acme.example/fastship"],
    ),
]


def _unique(event_types: list[WebhookEventType]) -> list[WebhookEventType]:
    return list(dict.fromkeys(event_types))


EventTypes = Annotated[
    list[WebhookEventType],
    Field(min_length=1, max_length=len(WebhookEventType), description="At least one"),
    AfterValidator(_unique),
]


class WebhookEndpointCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": "https://hooks.acme.example/fastship",
                    "event_types": ["shipment.in_transit", "shipment.delivered"],
                }
            ]
        }
    )

    url: WebhookUrl
    event_types: EventTypes


class WebhookEndpointRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ENDPOINT_EXAMPLE]})

    id: uuid.UUID
    url: str
    event_types: list[WebhookEventType]
    verified: bool = Field(
        description="Whether the endpoint echoed the handshake's challenge; an unverified one "
        "is asked again before its first delivery"
    )
    verified_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint, **more: Any) -> Self:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            event_types=endpoint.event_types,
            verified=endpoint.verified_at is not None,
            verified_at=endpoint.verified_at,
            created_at=endpoint.created_at,
            **more,
        )


class WebhookEndpointCreated(WebhookEndpointRead):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                ENDPOINT_EXAMPLE
                | {
                    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw2KNx5R7n1gA=",
                    "verification_error": None,
                },
                ENDPOINT_EXAMPLE
                | {
                    "verified": False,
                    "verified_at": None,
                    "secret": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD8dlbpDmSNHg=",
                    "verification_error": "the endpoint answered 404",
                },
            ]
        }
    )

    secret: str = Field(
        description="The signing secret, shown this once: verify each message's "
        "`webhook-signature` with it (Standard Webhooks)"
    )
    verification_error: str | None = Field(
        description="Why the handshake failed; null when verified"
    )


class WebhookDeliveryRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": DELIVERY_ID_EXAMPLE,
                    "event_type": "shipment.delivered",
                    "shipment_id": SHIPMENT_ID_EXAMPLE,
                    "status": "delivered",
                    "attempts": 2,
                    "last_attempt_at": "2026-11-28T15:04:06Z",
                    "last_response_status": 200,
                    "last_error": None,
                    "delivered_at": "2026-11-28T15:04:06Z",
                    "created_at": "2026-11-28T15:04:05Z",
                    "payload": {
                        "type": "shipment.delivered",
                        "timestamp": "2026-11-28T15:04:05Z",
                        "data": {"shipment_id": SHIPMENT_ID_EXAMPLE, "status": "delivered"},
                    },
                }
            ]
        },
    )

    id: uuid.UUID = Field(description="Also the `webhook-id` header of every try")
    event_type: WebhookEventType
    shipment_id: uuid.UUID | None
    status: DeliveryStatus = Field(
        description="pending (being retried), delivered, failed (retried until the deadline) "
        "or cancelled (the endpoint was deleted first)"
    )
    attempts: int
    last_attempt_at: datetime | None
    last_response_status: int | None = Field(description="The endpoint's last HTTP status")
    last_error: str | None = Field(description="Why the last try failed")
    delivered_at: datetime | None
    created_at: datetime
    payload: dict[str, Any] = Field(description="The body sent, the same on every try")


class WebhookDeliveryPage(BaseModel):
    items: list[WebhookDeliveryRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")
    next: str | None = Field(description="The next page's URL; null on the last page")
