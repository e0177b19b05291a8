"""Seller webhooks: endpoints and the delivery log (how deliveries are retried:
models/webhook_retries.py)."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, SmallInteger, String, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UUIDPrimaryKey, enum_column


class WebhookEventType(StrEnum):
    SHIPMENT_PLACED = "shipment.placed"
    SHIPMENT_ASSIGNED = "shipment.assigned"
    SHIPMENT_IN_TRANSIT = "shipment.in_transit"
    SHIPMENT_OUT_FOR_DELIVERY = "shipment.out_for_delivery"
    SHIPMENT_DELIVERED = "shipment.delivered"
    SHIPMENT_CANCELLED = "shipment.cancelled"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # retried until the deadline, never accepted
    CANCELLED = "cancelled"  # its endpoint was deleted first


MAX_ENDPOINTS_PER_SELLER = 10
MAX_URL_LENGTH = 2000


class WebhookEndpoint(UUIDPrimaryKey, Base):
    """A seller's HTTPS endpoint. Deleting it only sets `deleted_at`, so its log stays."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        Index(
            "ix_webhook_endpoints_seller_live",
            "seller_id",
            "created_at",
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(MAX_URL_LENGTH))
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    # Needed in clear to sign each message; it leaves the database only in the creation answer.
    secret: Mapped[str] = mapped_column(String(100))
    verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    deleted_at: Mapped[datetime | None]


class WebhookDelivery(UUIDPrimaryKey, Base):
    """One event for one endpoint; its id is the `webhook-id` header of every try."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # The endpoint's log: newest first, keyset-paginated on (created_at, id).
        Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at", "id"),
    )

    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    shipment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[WebhookEventType] = mapped_column(
        enum_column(WebhookEventType, "event_type", 40)
    )
    # The body as sent, so every try carries the same event and timestamp.
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus, "status", 20))
    attempts: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    last_attempt_at: Mapped[datetime | None]
    last_response_status: Mapped[int | None] = mapped_column(SmallInteger)
    last_error: Mapped[str | None] = mapped_column(String(300))
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
