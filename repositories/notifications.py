"""Notifications and their outcomes, and SMS opt-outs."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from models.accounts import Partner
from models.domain import Channel
from models.notifications import Notification, NotificationStatus, SmsOptOut
from models.shipments import Shipment
from repositories.statements import insert_or_find, run, table_of


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


# RETURNING both: the rows answer in any order, so each id is matched to its key. (With the rows'
# order kept instead, SQLAlchemy sends an upsert one row per statement.)
_ADD = insert_or_find(Notification, "idempotency_key").returning(
    Notification.idempotency_key, Notification.id
)


async def add(session: AsyncSession, notifications: Sequence[NewNotification]) -> list[uuid.UUID]:
    """Stores each notification once per key; returns the ids of all, stored now or before."""
    if not notifications:
        return []
    unique = {notification.key: notification for notification in notifications}
    rows = [
        {
            "id": uuid.uuid4(),
            "idempotency_key": notification.key,
            "template": notification.template,
            "channel": notification.channel.value,
            "recipient": notification.recipient,
            "language": notification.language,
            "shipment_id": notification.shipment_id,
            "account_id": notification.account_id,
            "params": notification.params,
        }
        for notification in unique.values()
    ]
    ids = {row.idempotency_key: row.id for row in await run(session, _ADD, rows)}
    return [ids[notification.key] for notification in notifications]


_LOCK = (
    select(Notification, Shipment, Partner)
    .outerjoin(Shipment, Shipment.id == Notification.shipment_id)
    .outerjoin(Partner, Partner.id == Notification.account_id)
    .where(Notification.id == bindparam("notification_id"))
    .with_for_update(of=Notification)
)


@dataclass(frozen=True)
class Locked:
    """A notification under its lock, read with the shipment it is about and the partner it is
    addressed to (either may be None)."""

    notification: Notification
    shipment: Shipment | None
    partner: Partner | None


async def lock(session: AsyncSession, notification_id: uuid.UUID) -> Locked | None:
    """The notification, locked until the transaction ends (one sender at a time)."""
    row = (await session.execute(_LOCK, {"notification_id": notification_id})).first()
    return None if row is None else Locked(*row)


_ATTEMPT = (
    update(table_of(Notification))
    .where(Notification.id == bindparam("notification_id"))
    .values(
        attempts=Notification.attempts + 1,
        status=bindparam("new_status"),
        last_error=bindparam("error"),
    )
)
_SENT = _ATTEMPT.values(
    provider=bindparam("by"), provider_message_id=bindparam("message_id"), sent_at=bindparam("at")
)


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
    attempt = {
        "notification_id": notification.id,
        "new_status": status.value,
        "error": error[:300] if error else None,
    }
    if provider is None:
        await run(session, _ATTEMPT, attempt)
    else:
        sent = {"by": provider, "message_id": provider_message_id, "at": sent_at}
        await run(session, _SENT, attempt | sent)


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


async def is_opted_out(session: AsyncSession, phone: str) -> bool:
    return await session.get(SmsOptOut, phone) is not None


async def opt_out(session: AsyncSession, phone: str) -> None:
    await session.execute(insert(SmsOptOut).values(phone=phone).on_conflict_do_nothing())


async def opt_in(session: AsyncSession, phone: str) -> None:
    await session.execute(delete(SmsOptOut).where(SmsOptOut.phone == phone))
