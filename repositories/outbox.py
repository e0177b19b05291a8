"""The local outbox: messages as rendered, kept when no provider is configured."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.notifications import Notification, OutboxMessage
from repositories.statements import insert_or_find, run

_STORE = insert_or_find(OutboxMessage, "idempotency_key").returning(OutboxMessage.id)


async def store(
    session: AsyncSession,
    notification: Notification,
    subject: str | None,
    text: str,
    html: str | None,
) -> uuid.UUID:
    """Keeps the rendered message once per notification key; returns its outbox id."""
    stored: uuid.UUID = (
        await run(
            session,
            _STORE,
            {
                "id": uuid.uuid4(),
                "idempotency_key": notification.idempotency_key,
                "shipment_id": notification.shipment_id,
                "channel": notification.channel,
                "recipient": notification.recipient,
                "template": notification.template,
                "language": notification.language,
                "subject": subject,
                "body": text,
                "html": html,
            },
        )
    ).scalar_one()
    return stored


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
