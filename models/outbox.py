"""The local outbox: every message FastShip sends, stored with its idempotency key.

Until provider delivery lands, messages go here; a development-only endpoint shows them.
"""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UUIDPrimaryKey


class OutboxMessage(UUIDPrimaryKey, Base):
    __tablename__ = "outbox_messages"

    # (shipment, event, channel, recipient role): a retried activity stores a message once.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    shipment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
