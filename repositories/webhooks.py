"""Seller webhook endpoints and their delivery log."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, bindparam, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from models.accounts import Seller
from models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEventType
from repositories.cursors import ListOrder, decode_cursor, encode_cursor
from repositories.statements import run

# Delivery ids derive from what they deliver, so enqueuing the same event twice stores it once.
_DELIVERY_NAMESPACE = uuid.UUID("6f1f3c0e-2a4b-4f8e-9c51-8d0b7a1e5c23")
MAX_ERROR_LENGTH = 300


class TooManyEndpoints(Exception):
    pass


async def add_endpoint(
    session: AsyncSession,
    seller_id: uuid.UUID,
    url: str,
    event_types: list[WebhookEventType],
    secret: str,
    limit: int,
) -> WebhookEndpoint:
    """Stores a new endpoint, or raises TooManyEndpoints if the seller has `limit` already.

    The seller's row is locked first, so concurrent registrations count one after another.
    """
    await session.execute(select(Seller.id).where(Seller.id == seller_id).with_for_update())
    if await _count_live(session, seller_id) >= limit:
        raise TooManyEndpoints
    endpoint = WebhookEndpoint(
        seller_id=seller_id, url=url, event_types=list(event_types), secret=secret
    )
    session.add(endpoint)
    await session.flush()
    return endpoint


async def _count_live(session: AsyncSession, seller_id: uuid.UUID) -> int:
    query = select(func.count()).where(
        WebhookEndpoint.seller_id == seller_id, WebhookEndpoint.deleted_at.is_(None)
    )
    return await session.scalar(query) or 0


async def mark_verified(session: AsyncSession, endpoint_id: uuid.UUID) -> None:
    """Records a passed handshake."""
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .values(verified_at=func.now())
    )


async def live_endpoints(session: AsyncSession, seller_id: uuid.UUID) -> list[WebhookEndpoint]:
    """The seller's endpoints that are not deleted, oldest first."""
    query = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.seller_id == seller_id, WebhookEndpoint.deleted_at.is_(None))
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return list(await session.scalars(query))


async def live_endpoint(
    session: AsyncSession, endpoint_id: uuid.UUID, seller_id: uuid.UUID
) -> WebhookEndpoint | None:
    """The seller's endpoint, unless it is deleted or someone else's."""
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id,
        WebhookEndpoint.seller_id == seller_id,
        WebhookEndpoint.deleted_at.is_(None),
    )
    endpoint: WebhookEndpoint | None = await session.scalar(query)
    return endpoint


async def delete_endpoint(
    session: AsyncSession, endpoint_id: uuid.UUID, seller_id: uuid.UUID
) -> bool:
    """Soft-deletes the endpoint, keeping its log; False if the seller has no such live one."""
    deleted = await session.scalar(
        update(WebhookEndpoint)
        .where(
            WebhookEndpoint.id == endpoint_id,
            WebhookEndpoint.seller_id == seller_id,
            WebhookEndpoint.deleted_at.is_(None),
        )
        .values(deleted_at=func.now())
        .returning(WebhookEndpoint.id)
    )
    return deleted is not None


def _event_payload(
    event_type: WebhookEventType, data: dict[str, object], occurred_at: datetime
) -> dict[str, Any]:
    timestamp = occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {"type": event_type.value, "timestamp": timestamp, "data": data}


@dataclass(frozen=True)
class WebhookEvent:
    """One event of a shipment, as its webhook message tells it."""

    type: WebhookEventType
    data: dict[str, object]
    occurred_at: datetime


# Asked for every shipment event (built once: see repositories.statements).
_SUBSCRIBED = (
    select(WebhookEndpoint.id, WebhookEndpoint.event_types)
    .where(
        WebhookEndpoint.seller_id == bindparam("seller_id"),
        WebhookEndpoint.deleted_at.is_(None),
        WebhookEndpoint.event_types.overlap(bindparam("event_types", type_=ARRAY(String))),
    )
    .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
)


async def enqueue(
    session: AsyncSession,
    *,
    seller_id: uuid.UUID,
    shipment_id: uuid.UUID,
    events: list[WebhookEvent],
) -> list[uuid.UUID]:
    """One pending delivery per event and live endpoint of the seller subscribed to its type.

    Returns the deliveries' ids, for one `deliver_webhook` activity each. Idempotent: called
    again with the same events (a retried activity), it returns the same ids and stores nothing
    new.
    """
    subscribed = {"seller_id": seller_id, "event_types": [event.type.value for event in events]}
    endpoints = [(row.id, row.event_types) for row in await run(session, _SUBSCRIBED, subscribed)]
    delivery_ids: list[uuid.UUID] = []
    rows = []
    for event in events:
        payload = _event_payload(event.type, event.data, event.occurred_at)
        event_key = f"{shipment_id}/{event.type.value}/{payload['timestamp']}"
        for endpoint_id, event_types in endpoints:
            if event.type not in event_types:
                continue
            delivery_ids.append(uuid.uuid5(_DELIVERY_NAMESPACE, f"{endpoint_id}/{event_key}"))
            rows.append(
                {
                    "id": delivery_ids[-1],
                    "endpoint_id": endpoint_id,
                    "shipment_id": shipment_id,
                    "event_type": event.type,
                    "payload": payload,
                    "status": DeliveryStatus.PENDING,
                }
            )
    if rows:
        await session.execute(insert(WebhookDelivery).values(rows).on_conflict_do_nothing())
    return delivery_ids


@dataclass(frozen=True)
class DeliveryToSend:
    """A delivery with what sending it needs, read in one short transaction."""

    delivery_id: uuid.UUID
    status: DeliveryStatus
    payload: dict[str, Any]
    endpoint_id: uuid.UUID
    url: str
    secret: str
    endpoint_verified: bool
    endpoint_deleted: bool


async def pending_for_shipment(session: AsyncSession, shipment_id: uuid.UUID) -> list[uuid.UUID]:
    query = select(WebhookDelivery.id).where(
        WebhookDelivery.shipment_id == shipment_id,
        WebhookDelivery.status == DeliveryStatus.PENDING,
    )
    return list(await session.scalars(query))


async def delivery_to_send(session: AsyncSession, delivery_id: uuid.UUID) -> DeliveryToSend | None:
    query = (
        select(WebhookDelivery, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookDelivery.endpoint_id == WebhookEndpoint.id)
        .where(WebhookDelivery.id == delivery_id)
    )
    row = (await session.execute(query)).one_or_none()
    if row is None:
        return None
    delivery, endpoint = row
    return DeliveryToSend(
        delivery_id=delivery.id,
        status=delivery.status,
        payload=delivery.payload,
        endpoint_id=endpoint.id,
        url=endpoint.url,
        secret=endpoint.secret,
        endpoint_verified=endpoint.verified_at is not None,
        endpoint_deleted=endpoint.deleted_at is not None,
    )


async def record_attempt(
    session: AsyncSession,
    delivery_id: uuid.UUID,
    *,
    response_status: int | None,
    error: str | None,
    status: DeliveryStatus,
) -> None:
    """Counts one try of a pending delivery, and what came of it."""
    now = func.now()
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == DeliveryStatus.PENDING)
        .values(
            attempts=WebhookDelivery.attempts + 1,
            last_attempt_at=now,
            last_response_status=response_status,
            last_error=error[:MAX_ERROR_LENGTH] if error else None,
            status=status,
            delivered_at=now if status is DeliveryStatus.DELIVERED else None,
        )
    )


async def cancel(session: AsyncSession, delivery_id: uuid.UUID) -> None:
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED)
    )


async def deliveries_page(
    session: AsyncSession, endpoint_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[WebhookDelivery], str | None]:
    """One page of the endpoint's log, newest first, and the next page's cursor (or None)."""
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if cursor is not None:
        query = query.where(
            tuple_(WebhookDelivery.created_at, WebhookDelivery.id)
            < decode_cursor(cursor, ListOrder.CREATED)
        )
    query = query.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    deliveries = list(await session.scalars(query.limit(limit + 1)))
    last = deliveries[limit - 1] if len(deliveries) > limit else None
    next_cursor = encode_cursor(ListOrder.CREATED, last.created_at, last.id) if last else None
    return deliveries[:limit], next_cursor
