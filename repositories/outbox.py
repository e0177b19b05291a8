"""The local outbox of messages."""

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from models.outbox import OutboxMessage


@dataclass(frozen=True)
class Message:
    idempotency_key: str
    channel: str
    recipient: str
    subject: str | None
    body: str
    shipment_id: uuid.UUID | None = None


async def add(session: AsyncSession, message: Message) -> None:
    """Stores the message once per idempotency key."""
    await session.execute(
        insert(OutboxMessage)
        .values(
            idempotency_key=message.idempotency_key,
            channel=message.channel,
            recipient=message.recipient,
            subject=message.subject,
            body=message.body,
            shipment_id=message.shipment_id,
        )
        .on_conflict_do_nothing(index_elements=[OutboxMessage.idempotency_key])
    )


async def latest(
    session: AsyncSession,
    recipient: str | None,
    shipment_id: uuid.UUID | None,
    channel: str | None,
    limit: int,
) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc()).limit(limit)
    if channel is not None:
        query = query.where(OutboxMessage.channel == channel)
    if recipient is not None:
        query = query.where(OutboxMessage.recipient == recipient)
    if shipment_id is not None:
        query = query.where(OutboxMessage.shipment_id == shipment_id)
    return list(await session.scalars(query))
