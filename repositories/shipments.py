"""Shipments and their timelines."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Select,
    Text,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    select,
    tuple_,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, joinedload, selectinload

from models.accounts import Partner
from models.domain import Role, ShipmentStatus
from models.shipments import Shipment, ShipmentEvent
from models.workflow_io import NewShipment, ShipmentEventRecord
from repositories.cursors import ListOrder, decode_cursor, encode_cursor
from repositories.statements import run, table_of

ACTIVE: ColumnElement[bool] = Shipment.status.not_in(
    [ShipmentStatus.DELIVERED, ShipmentStatus.CANCELLED]
)
WAITING: ColumnElement[bool] = (Shipment.status == ShipmentStatus.PLACED) & (
    Shipment.partner_id.is_(None)
)


_INSERT_SHIPMENT = (
    insert(table_of(Shipment))
    .on_conflict_do_nothing(index_elements=[Shipment.id])
    .returning(Shipment.id)
)
_INSERT_EVENTS = insert(table_of(ShipmentEvent))
_ADD_EVENT = insert(table_of(ShipmentEvent)).on_conflict_do_nothing().returning(ShipmentEvent.id)
_HAS_CHANGE = select(ShipmentEvent.id).where(
    ShipmentEvent.shipment_id == bindparam("shipment_id"),
    ShipmentEvent.change_id == bindparam("change_id"),
)


async def insert_shipment(
    session: AsyncSession, placed: NewShipment, tracking_code: str, partner_id: uuid.UUID | None
) -> Shipment | None:
    """Stores the new shipment, assigned to `partner_id` if given; returns it as stored (not
    attached to the session), or None if a shipment with its id is stored already (a retried
    placement)."""
    values = {
        **placed.order.model_dump(),
        "id": placed.shipment_id,
        "seller_id": placed.seller_id,
        "partner_id": partner_id,
        "status": ShipmentStatus.PLACED,
        "tracking_code": tracking_code,
        "estimated_delivery": placed.estimated_delivery,
        "idempotency_key": placed.idempotency_key,
        "request_fingerprint": placed.fingerprint,
        "reassignments": 0,
        "created_at": placed.placed_at,
        "updated_at": placed.placed_at,
    }
    if (await run(session, _INSERT_SHIPMENT, values)).scalar() is None:
        return None
    return Shipment(**values)


async def get(session: AsyncSession, shipment_id: uuid.UUID) -> Shipment | None:
    return await session.get(Shipment, shipment_id)


async def lock(session: AsyncSession, shipment_id: uuid.UUID) -> Shipment | None:
    return await session.get(Shipment, shipment_id, with_for_update=True)


async def count_events(session: AsyncSession, shipment_id: uuid.UUID) -> int:
    query = select(func.count()).where(ShipmentEvent.shipment_id == shipment_id)
    return await session.scalar(query) or 0


class SequenceTaken(Exception):
    """Another change holds the sequence the workflow chose: its state is behind what is stored.

    Never read as "already stored": the activity fails (and is retried) so it shows.
    """

    def __init__(self, event: ShipmentEventRecord) -> None:
        super().__init__(
            f"sequence {event.sequence} of shipment {event.shipment_id} holds another change "
            f"than {event.change_id!r}"
        )


async def insert_events(session: AsyncSession, events: list[ShipmentEventRecord]) -> None:
    """The first events of a shipment inserted in this transaction (none can be stored yet)."""
    rows = [{"id": uuid.uuid4(), **event.model_dump()} for event in events]
    await run(session, _INSERT_EVENTS, rows)


async def add_event(session: AsyncSession, event: ShipmentEventRecord) -> bool:
    """Appends the event; False if this very change is already stored (a retried write).

    Raises SequenceTaken if another change holds the event's sequence.
    """
    added = {"id": uuid.uuid4(), **event.model_dump()}
    inserted = (await run(session, _ADD_EVENT, added)).scalar()
    if inserted is not None:
        return True
    if await has_change(session, event.shipment_id, event.change_id):
        return False
    raise SequenceTaken(event)


async def has_change(session: AsyncSession, shipment_id: uuid.UUID, change_id: str) -> bool:
    found = (
        await run(session, _HAS_CHANGE, {"shipment_id": shipment_id, "change_id": change_id})
    ).scalar()
    return found is not None


async def change_ids_starting(
    session: AsyncSession, shipment_id: uuid.UUID, prefix: str
) -> list[str]:
    """The shipment's change ids that begin with `prefix` (an idempotent request's)."""
    query = select(ShipmentEvent.change_id).where(
        ShipmentEvent.shipment_id == shipment_id,
        ShipmentEvent.change_id.startswith(prefix, autoescape=True),
    )
    return list(await session.scalars(query))


async def change(session: AsyncSession, shipment_id: uuid.UUID, **values: object) -> None:
    """Sets columns of one shipment (status, partner, flags). A Core statement: the shipment
    object the caller holds keeps the values it had."""
    table = table_of(Shipment)
    changed = update(table).where(table.c.id == shipment_id).values(**values, updated_at=func.now())
    await run(session, changed, {})


async def waiting_in(session: AsyncSession, zip_codes: list[str], limit: int) -> list[uuid.UUID]:
    """Shipments waiting for a partner in these zips, oldest first."""
    query = (
        select(Shipment.id)
        .where(WAITING, Shipment.destination_zip.in_(zip_codes))
        .order_by(Shipment.created_at)
        .limit(limit)
    )
    return list(await session.scalars(query))


@dataclass(frozen=True)
class Reader:
    """Who reads a shipment: its seller, or the partner it is assigned to."""

    role: Role
    account_id: uuid.UUID


_READABLE_BY = {
    role: (Shipment.id == bindparam("shipment_id")) & (owner == bindparam("account_id"))
    for role, owner in ((Role.SELLER, Shipment.seller_id), (Role.PARTNER, Shipment.partner_id))
}
_STATUS = {role: select(Shipment.status).where(readable) for role, readable in _READABLE_BY.items()}
_STORED_COLUMNS = [column for column in table_of(Shipment).columns if column.computed is None]
_TIMELINE_COLUMNS = (
    ShipmentEvent.sequence,
    ShipmentEvent.status,
    ShipmentEvent.location_zip,
    ShipmentEvent.description,
    ShipmentEvent.actor,
    ShipmentEvent.occurred_at,
)


def _timeline_json(*columns: InstrumentedAttribute[Any]) -> ColumnElement[Any]:
    """The shipment's timeline (newest first) as a JSON array of objects of these event columns,
    for the row of the shipment."""
    event = func.json_build_object(*(part for column in columns for part in (column.key, column)))
    timeline = (
        select(
            func.coalesce(
                func.json_agg(aggregate_order_by(event, ShipmentEvent.sequence.desc())),
                literal_column("'[]'::json"),
            )
        )
        .where(ShipmentEvent.shipment_id == Shipment.id)
        .scalar_subquery()
    )
    return type_coerce(timeline, JSON)  # asyncpg's codec decodes it


_DOCUMENT_ROW = select(
    *_STORED_COLUMNS,
    Partner.name.label("partner_name"),
    _timeline_json(*_TIMELINE_COLUMNS).label("timeline"),
).outerjoin(Partner, Partner.id == Shipment.partner_id)
_DOCUMENT = {role: _DOCUMENT_ROW.where(readable) for role, readable in _READABLE_BY.items()}


async def status_for(
    session: AsyncSession, reader: Reader, shipment_id: uuid.UUID
) -> ShipmentStatus | None:
    """The shipment's status, or None if the reader may not see it."""
    parameters = {"shipment_id": shipment_id, "account_id": reader.account_id}
    found: ShipmentStatus | None = (await run(session, _STATUS[reader.role], parameters)).scalar()
    return found


async def document_for(
    session: AsyncSession, reader: Reader, shipment_id: uuid.UUID
) -> dict[str, Any] | None:
    """The shipment's columns, its partner (`id` and `name`, or None) and its timeline (newest
    first, its times as ISO strings), as plain values; None if the reader may not see it. Every
    command answers with it: one statement, no ORM objects."""
    parameters = {"shipment_id": shipment_id, "account_id": reader.account_id}
    row = (await run(session, _DOCUMENT[reader.role], parameters)).mappings().first()
    if row is None:
        return None
    document = dict(row)
    partner_id, partner_name = document["partner_id"], document.pop("partner_name")
    document["partner"] = {"id": partner_id, "name": partner_name} if partner_id else None
    return document


async def get_with_partner(session: AsyncSession, shipment_id: uuid.UUID) -> Shipment | None:
    shipment: Shipment | None = await session.scalar(
        select(Shipment).where(Shipment.id == shipment_id).options(joinedload(Shipment.partner))
    )
    return shipment


@dataclass(frozen=True)
class ShipmentFilters:
    status: ShipmentStatus | None = None
    tag: str | None = None
    destination_zip: str | None = None
    q: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    needs_attention: bool | None = None  # flagged and not yet delivered or cancelled


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# As the generated column's: words as written, whatever the language (migration 0007).
_SEARCH_CONFIGURATION: ColumnElement[str] = literal_column("'simple'")
_ORDER_COLUMN = {ListOrder.CREATED: Shipment.created_at, ListOrder.UPDATED: Shipment.updated_at}


def _matching(q: str) -> ColumnElement[bool]:
    """Whole words of the content and tags in web search syntax ("a phrase", -word, or); a
    single term also matches any part of the content (a partial word, a code). Several terms
    stay with the words index alone, whose estimates let PostgreSQL use it for a rare match."""
    words = Shipment.search_vector.bool_op("@@")(
        func.websearch_to_tsquery(_SEARCH_CONFIGURATION, q)
    )
    if len(q.split()) > 1 or q.startswith(("-", '"')):
        return words
    return words | Shipment.content.ilike(_like_pattern(q))


def page_query(
    owner: ColumnElement[bool],
    filters: ShipmentFilters,
    limit: int,
    cursor: str | None,
    order: ListOrder = ListOrder.CREATED,
) -> Select[Shipment]:
    """One page in `order`, plus one row that tells whether another page follows."""
    query = select(Shipment).where(owner).options(selectinload(Shipment.partner))
    if filters.status is not None:
        query = query.where(Shipment.status == filters.status)
    if filters.tag is not None:
        query = query.where(Shipment.tags.contains([filters.tag]))
    if filters.destination_zip is not None:
        query = query.where(Shipment.destination_zip == filters.destination_zip)
    if filters.q:
        query = query.where(_matching(filters.q))
    if filters.created_after is not None:
        query = query.where(Shipment.created_at >= filters.created_after)
    if filters.created_before is not None:
        query = query.where(Shipment.created_at < filters.created_before)
    if filters.needs_attention is not None:
        flagged = Shipment.needs_attention & ACTIVE
        query = query.where(flagged if filters.needs_attention else ~flagged)
    moment = _ORDER_COLUMN[order]
    if cursor is not None:
        query = query.where(tuple_(moment, Shipment.id) < decode_cursor(cursor, order))
    return query.order_by(moment.desc(), Shipment.id.desc()).limit(limit + 1)


async def list_page(
    session: AsyncSession,
    owner: ColumnElement[bool],
    filters: ShipmentFilters,
    limit: int,
    cursor: str | None,
    order: ListOrder = ListOrder.CREATED,
) -> tuple[list[Shipment], str | None]:
    """One page in `order`, and the cursor of the next page (None on the last page)."""
    query = page_query(owner, filters, limit, cursor, order)
    shipments = list(await session.scalars(query))
    last = shipments[limit - 1] if len(shipments) > limit else None
    next_cursor = None
    if last is not None:
        moment = getattr(last, _ORDER_COLUMN[order].key)
        next_cursor = encode_cursor(order, moment, last.id)
    return shipments[:limit], next_cursor


async def add_tag(
    session: AsyncSession, shipment_id: uuid.UUID, seller_id: uuid.UUID, tag: str
) -> bool:
    """Adds the tag if missing; False if the seller has no such shipment."""
    return await _change_tags(
        session,
        shipment_id,
        seller_id,
        case(
            (Shipment.tags.any_() == tag, Shipment.tags),
            else_=func.array_append(Shipment.tags, tag),
        ),
    )


async def remove_tag(
    session: AsyncSession, shipment_id: uuid.UUID, seller_id: uuid.UUID, tag: str
) -> bool:
    return await _change_tags(
        session, shipment_id, seller_id, func.array_remove(Shipment.tags, tag)
    )


async def _change_tags(
    session: AsyncSession, shipment_id: uuid.UUID, seller_id: uuid.UUID, tags: object
) -> bool:
    changed = await session.scalar(
        update(Shipment)
        .where(Shipment.id == shipment_id, Shipment.seller_id == seller_id)
        .values(tags=tags, updated_at=func.now())
        .returning(Shipment.id)
    )
    return changed is not None


async def tracking_document(connection: AsyncConnection, tracking_code: str) -> str | None:
    """The public tracking view as JSON, built by PostgreSQL in one round trip (a hot path)."""
    found: str | None = await connection.scalar(TRACKING_DOCUMENT, {"tracking_code": tracking_code})
    return found


def _tracking_document() -> Select[str]:
    event = ShipmentEvent
    timeline = _timeline_json(
        event.status, event.location_zip, event.description, event.occurred_at
    )
    document = func.json_build_object(
        "status", Shipment.status,
        "partner_name", Partner.name,
        "estimated_delivery", Shipment.estimated_delivery,
        "timeline", timeline,
    )  # fmt: skip
    return (
        select(cast(document, Text))
        .select_from(Shipment)
        .outerjoin(Partner, Partner.id == Shipment.partner_id)
        .where(Shipment.tracking_code == bindparam("tracking_code"))
    )


# Built once: constructing this statement cost more per request than running it.
TRACKING_DOCUMENT = _tracking_document()


_NEWEST_SEQUENCE = (
    select(func.max(ShipmentEvent.sequence))
    .join(Shipment, Shipment.id == ShipmentEvent.shipment_id)
    .where(Shipment.tracking_code == bindparam("tracking_code"))
)
_TIMELINE_AFTER = (
    select(*_TIMELINE_COLUMNS)
    .where(
        ShipmentEvent.shipment_id == bindparam("shipment_id"),
        ShipmentEvent.sequence > bindparam("after"),
    )
    .order_by(ShipmentEvent.sequence)
)


async def tracking_sequence(connection: AsyncConnection, tracking_code: str) -> int | None:
    """The sequence of the newest timeline event of the shipment with this code (None: none)."""
    newest: int | None = await connection.scalar(_NEWEST_SEQUENCE, {"tracking_code": tracking_code})
    return newest


async def timeline_after(
    connection: AsyncConnection, shipment_id: uuid.UUID, after: int
) -> list[dict[str, Any]]:
    """The shipment's timeline events past sequence `after`, oldest first."""
    rows = await connection.execute(_TIMELINE_AFTER, {"shipment_id": shipment_id, "after": after})
    return [dict(row) for row in rows.mappings()]


@dataclass(frozen=True)
class ShipmentCounts:
    by_status: dict[ShipmentStatus, int]
    waiting_for_partner: int
    needing_attention: int


async def counts(
    connection: AsyncConnection, owner: ColumnElement[bool] | None = None
) -> ShipmentCounts:
    """Shipments by status, waiting and needing attention, in one pass: all of them (the
    operators' gauges), or one seller's or partner's (`owner`, through its index)."""
    query = select(
        Shipment.status,
        func.count(),
        func.count().filter(WAITING),
        func.count().filter(Shipment.needs_attention & ACTIVE),
    ).group_by(Shipment.status)
    rows = await connection.execute(query if owner is None else query.where(owner))
    by_status: dict[ShipmentStatus, int] = {}
    waiting = attention = 0
    for status, total, waiting_here, attention_here in rows:
        by_status[status] = total
        waiting += waiting_here
        attention += attention_here
    return ShipmentCounts(by_status, waiting, attention)
