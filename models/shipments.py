"""Shipments and their timelines. Written by activities, read by the API."""

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Timestamps, UUIDPrimaryKey
from models.domain import ShipmentStatus


def _status_column() -> Enum:
    return Enum(
        ShipmentStatus,
        name="status",
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda statuses: [status.value for status in statuses],
    )


class Shipment(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "shipments"
    __table_args__ = (
        CheckConstraint("weight > 0 AND weight <= 25", name="weight_range"),
        UniqueConstraint("seller_id", "idempotency_key", name="uq_shipments_seller_idempotency"),
        Index("ix_shipments_seller_created", "seller_id", "created_at"),
        Index("ix_shipments_partner_status", "partner_id", "status"),
    )

    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers.id"))
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partners.id"))
    status: Mapped[ShipmentStatus] = mapped_column(_status_column())
    content: Mapped[str] = mapped_column(String(500))
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    destination_zip: Mapped[str] = mapped_column(String(10))
    client_contact_email: Mapped[str] = mapped_column(String(320))
    client_contact_phone: Mapped[str | None] = mapped_column(String(20))
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(30)), server_default="{}")
    tracking_code: Mapped[str] = mapped_column(String(64), unique=True)
    estimated_delivery: Mapped[datetime]
    needs_attention: Mapped[bool] = mapped_column(server_default="false")
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))

    timeline: Mapped[list["ShipmentEvent"]] = relationship(
        order_by="(ShipmentEvent.occurred_at.desc(), ShipmentEvent.id.desc())",
        lazy="raise",
        viewonly=True,
    )


class ShipmentEvent(UUIDPrimaryKey, Base):
    """One accepted change on a timeline; `event_key` makes a retried activity write a no-op."""

    __tablename__ = "shipment_events"
    __table_args__ = (
        UniqueConstraint("shipment_id", "event_key", name="uq_shipment_events_shipment_key"),
        Index("ix_shipment_events_shipment_occurred", "shipment_id", "occurred_at"),
    )

    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    event_key: Mapped[str] = mapped_column(String(100))
    status: Mapped[ShipmentStatus] = mapped_column(_status_column())
    location_zip: Mapped[str | None] = mapped_column(String(10))
    description: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(100))
    occurred_at: Mapped[datetime] = mapped_column(server_default=func.now())
