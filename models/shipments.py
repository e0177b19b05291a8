"""Shipments, timelines, delivery codes and reviews. Written by activities, read by the API."""

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import Partner
from models.base import Base, Timestamps, UUIDPrimaryKey, enum_column
from models.domain import Language, ShipmentStatus


class Shipment(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "shipments"
    __table_args__ = (
        CheckConstraint("weight > 0 AND weight <= 25", name="weight_range"),
        UniqueConstraint("seller_id", "idempotency_key", name="uq_shipments_seller_idempotency"),
        # Lists: newest first, or last changed first, per seller or partner, keyset-paginated on
        # (created_at, id) or (updated_at, id).
        Index("ix_shipments_seller_created", "seller_id", "created_at", "id"),
        Index("ix_shipments_partner_created", "partner_id", "created_at", "id"),
        Index("ix_shipments_seller_updated", "seller_id", "updated_at", "id"),
        Index("ix_shipments_partner_updated", "partner_id", "updated_at", "id"),
        # A status filter: a status the account has few of is found without walking its whole
        # list (192 ms for a seller with 250,000 shipments and none cancelled, before).
        Index("ix_shipments_seller_status_created", "seller_id", "status", "created_at", "id"),
        Index("ix_shipments_partner_status_created", "partner_id", "status", "created_at", "id"),
        # Assignment counts each candidate partner's active shipments.
        Index(
            "ix_shipments_partner_active",
            "partner_id",
            postgresql_where=text("status NOT IN ('delivered', 'cancelled')"),
        ),
        # Shipments waiting for a partner, woken when capacity frees in their zip.
        Index(
            "ix_shipments_waiting",
            "destination_zip",
            "created_at",
            postgresql_where=text("status = 'placed' AND partner_id IS NULL"),
        ),
        Index("ix_shipments_tags", "tags", postgresql_using="gin"),
        # Search: whole words of the content and tags, and any part of the content.
        Index("ix_shipments_search_vector", "search_vector", postgresql_using="gin"),
        Index(
            "ix_shipments_content_trgm",
            "content",
            postgresql_using="gin",
            postgresql_ops={"content": "gin_trgm_ops"},
        ),
    )

    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sellers.id"))
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partners.id"))
    status: Mapped[ShipmentStatus] = mapped_column(enum_column(ShipmentStatus, "status", 20))
    content: Mapped[str] = mapped_column(String(500))
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    destination_zip: Mapped[str] = mapped_column(String(10))
    client_contact_email: Mapped[str] = mapped_column(String(320))
    client_contact_phone: Mapped[str | None] = mapped_column(String(20))
    # The recipient's language; the seller's unless the seller chose another.
    language: Mapped[Language] = mapped_column(
        enum_column(Language, "language", 5), server_default=Language.EN
    )
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(30)), server_default="{}")
    tracking_code: Mapped[str] = mapped_column(String(64), unique=True)
    estimated_delivery: Mapped[datetime]
    needs_attention: Mapped[bool] = mapped_column(server_default="false")
    reassignments: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    # Words of the content and the tags, as is (the 'simple' configuration: contents are written
    # in any language); shipment_search_document() is defined by migration 0007.
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR, Computed("shipment_search_document(content, tags)", persisted=True), deferred=True
    )

    partner: Mapped[Partner | None] = relationship(lazy="raise", viewonly=True)


class ShipmentEvent(UUIDPrimaryKey, Base):
    """One accepted change on a timeline, numbered by the workflow.

    `change_id` names the change (the Update's id, or one the workflow made): a retried write of
    the same change is recognised by it; a sequence held by another change is a conflict.
    """

    __tablename__ = "shipment_events"
    __table_args__ = (
        UniqueConstraint("shipment_id", "sequence", name="uq_shipment_events_shipment_sequence"),
        UniqueConstraint("shipment_id", "change_id", name="uq_shipment_events_shipment_change"),
    )

    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    change_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[ShipmentStatus] = mapped_column(enum_column(ShipmentStatus, "status", 20))
    location_zip: Mapped[str | None] = mapped_column(String(10))
    description: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(100))
    occurred_at: Mapped[datetime] = mapped_column(server_default=func.now())


class DeliveryCode(Base):
    """The current delivery code of a shipment out for delivery, stored only as a keyed hash."""

    __tablename__ = "delivery_codes"
    __table_args__ = (CheckConstraint("failed_attempts >= 0", name="attempts_non_negative"),)

    shipment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), primary_key=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    # Random; with the server key it re-derives the code for a retried message (see secrets).
    code_nonce: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime]
    failed_attempts: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    verified_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]


class Review(Base):
    """The recipient's one review of a delivered shipment."""

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    shipment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), primary_key=True
    )
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
