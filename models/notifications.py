"""Notifications: every message FastShip sends, with its outcome, and the SMS opt-outs.

A notification holds no secret: delivery codes and links are made when the message is sent.
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, SmallInteger, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Timestamps, UUIDPrimaryKey, enum_column
from models.domain import Channel, Language


class NotificationStatus(StrEnum):
    PENDING = "pending"  # not accepted by a provider yet (retrying on 429 and 5xx)
    SENT = "sent"  # accepted by the provider (or stored in the local outbox)
    DELIVERED = "delivered"  # the provider reported delivery (Twilio status callback)
    FAILED = "failed"  # refused by the provider, or reported undeliverable: final
    SUPPRESSED = "suppressed"  # not sent on purpose: the number opted out, or it is moot now


class Notification(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "notifications"

    # (shipment or account, event, channel, audience): one message per key, however often retried.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    shipment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID | None]  # the seller or partner it is for, if any
    template: Mapped[str] = mapped_column(String(40))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel", 10))
    recipient: Mapped[str] = mapped_column(String(320))
    language: Mapped[Language] = mapped_column(enum_column(Language, "language", 5))
    # What the message needs beyond the stored rows, never a secret (e.g. a cancel reason).
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    status: Mapped[NotificationStatus] = mapped_column(
        enum_column(NotificationStatus, "status", 20), server_default=NotificationStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    provider: Mapped[str | None] = mapped_column(String(20))
    provider_message_id: Mapped[str | None] = mapped_column(String(100), index=True)
    last_error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]


class SmsOptOut(Base):
    """A phone number that answered STOP: no SMS goes to it until it answers START."""

    __tablename__ = "sms_opt_outs"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    opted_out_at: Mapped[datetime] = mapped_column(server_default=func.now())


class OutboxMessage(UUIDPrimaryKey, Base):
    """A message as rendered, kept locally when no provider is configured (development)."""

    __tablename__ = "outbox_messages"

    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    shipment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel", 10))
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    template: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[Language | None] = mapped_column(enum_column(Language, "language", 5))
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
