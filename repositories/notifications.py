"""Notifications and their outcomes, and SMS opt-outs."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from models.domain import Channel
from models.notifications import Notification, NotificationStatus, SmsOptOut


@dataclass(frozen=True)
class NewNotification:
    key: str
    template: str
    channel: Channel
    recipient: str
    language: str
    shipment_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    params: dict[str, str] = field(default_factory=dict)


async def add(session: AsyncSession, notifications: Sequence[NewNotification]) -> list[uuid.UUID]:
    """Stores each notification once per key; returns the ids of all, stored now or before."""
    if not notifications:
        return []
    await session.execute(
        insert(Notification)
        .values(
            [
                {
                    "idempotency_key": notification.key,
                    "template": notification.template,
                    "channel": notification.channel.value,
                    "recipient": notification.recipient,
                    "language": notification.language,
                    "shipment_id": notification.shipment_id,
                    "account_id": notification.account_id,
                    "params": notification.params,
                }
                for notification in notifications
            ]
        )
        .on_conflict_do_nothing(index_elements=[Notification.idempotency_key])
    )
    keys = [notification.key for notification in notifications]
    ids = dict(
        (
            await session.execute(
                select(Notification.idempotency_key, Notification.id).where(
                    Notification.idempotency_key.in_(keys)
                )
            )
        ).all()
    )
    return [ids[key] for key in keys]


async def lock(session: AsyncSession, notification_id: uuid.UUID) -> Notification | None:
    """The notification, locked until the transaction ends: one sender at a time."""
    notification: Notification | None = await session.scalar(
        select(Notification).where(Notification.id == notification_id).with_for_update()
    )
    return notification


async def record_attempt(
    session: AsyncSession,
    notification: Notification,
    status: NotificationStatus,
    *,
    error: str | None = None,
    provider: str | None = None,
    provider_message_id: str | None = None,
    sent_at: datetime | None = None,
) -> None:
    notification.attempts += 1
    notification.status = status
    notification.last_error = error[:300] if error else None
    if provider is not None:
        notification.provider = provider
        notification.provider_message_id = provider_message_id
        notification.sent_at = sent_at
    await session.flush()


async def suppress(session: AsyncSession, notification: Notification, reason: str) -> None:
    notification.status = NotificationStatus.SUPPRESSED
    notification.last_error = reason
    await session.flush()


async def record_delivery_report(
    session: AsyncSession, provider_message_id: str, status: NotificationStatus, error: str | None
) -> bool:
    """A provider's final word on a sent message; False if no message has that id."""
    changed = await session.scalar(
        update(Notification)
        .where(Notification.provider_message_id == provider_message_id)
        .values(status=status, last_error=error)
        .returning(Notification.id)
    )
    return changed is not None


async def pending_for_shipment(session: AsyncSession, shipment_id: uuid.UUID) -> list[uuid.UUID]:
    query = select(Notification.id).where(
        Notification.shipment_id == shipment_id,
        Notification.status == NotificationStatus.PENDING,
    )
    return list(await session.scalars(query))


async def for_shipment(session: AsyncSession, shipment_id: uuid.UUID) -> list[Notification]:
    query = (
        select(Notification)
        .where(Notification.shipment_id == shipment_id)
        .order_by(Notification.created_at, Notification.idempotency_key)
    )
    return list(await session.scalars(query))


async def is_opted_out(session: AsyncSession, phone: str) -> bool:
    return await session.get(SmsOptOut, phone) is not None


async def opt_out(session: AsyncSession, phone: str) -> None:
    await session.execute(insert(SmsOptOut).values(phone=phone).on_conflict_do_nothing())


async def opt_in(session: AsyncSession, phone: str) -> None:
    await session.execute(delete(SmsOptOut).where(SmsOptOut.phone == phone))
