"""Server-Sent Events: a shipment's changes pushed to whoever watches it, as they happen.

Every stream starts where the client left off (`Last-Event-ID`): the tracking page and a
shipment's timeline from PostgreSQL by timeline sequence, a seller's or partner's feed from their
own Redis stream by entry id. Then each change the process's hub hands over is sent. A stream holds
no database connection while it waits, and its token is checked again at every heartbeat.
"""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Header, Path
from sse_starlette import EventSourceResponse, ServerSentEvent

from api.dependencies import Claims, ResourcesDep, require_role
from api.errors import (
    AUTH_RESPONSES,
    NOT_FOUND_RESPONSES,
    AppError,
    Responses,
    documented_problem,
)
from api.resources import Resources
from api.revocation import is_revoked
from api.security import TokenClaims
from api.shipments.errors import ShipmentNotFound
from api.shipments.schemas import TimelineEventRead
from api.streams.hub import (
    Interest,
    StreamEnded,
    account_interest,
    entries_of,
    shipment_interest,
    tracking_interest,
)
from api.streams.schemas import FeedChange
from models.changes import ShipmentChange, account_stream
from models.domain import Role
from repositories import shipments
from repositories.shipments import Reader

STREAM_RESPONSES: Responses = {
    200: {
        "description": "Server-Sent Events, each with its `id` (resume with `Last-Event-ID`); a "
        "final `end` event says why the stream stopped",
        "content": {
            "text/event-stream": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "event": {"type": "string"},
                        "data": {"type": "string"},
                        "id": {"type": "string"},
                        "retry": {"type": "integer"},
                    },
                }
            }
        },
    },
    429: documented_problem("Too many streams are open with this token"),
}
router = APIRouter(tags=["streams"], responses=NOT_FOUND_RESPONSES | STREAM_RESPONSES)

RECONNECT_MS = 1_000  # the `retry:` hint: how soon a browser reconnects after the stream ends
LastEventId = Annotated[str | None, Header(alias="Last-Event-ID", max_length=64)]
Events = list[ServerSentEvent]


class TooManyStreams(AppError):
    """This token has as many streams open as it may; close one first."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "too-many-streams"


def _sequence(last_event_id: str | None) -> int:
    """A resumed timeline stream's last sequence (0: from the start)."""
    return int(last_event_id) if last_event_id and last_event_id.isdigit() else 0


async def _token_check(resources: Resources, claims: TokenClaims) -> None:
    if claims.expires_at <= datetime.now(UTC):
        raise StreamEnded("the access token has expired; log in again")
    if await is_revoked(resources.redis, claims):
        raise StreamEnded("the access token was revoked; log in again")


async def _events(
    resources: Resources,
    interest: Interest,
    backlog: Callable[[], Awaitable[Events]],
    changed: Callable[[str, ShipmentChange], Awaitable[Events]],
    claims: TokenClaims | None = None,
) -> AsyncIterator[ServerSentEvent]:
    """What was missed (`backlog`), then what each change brings, heartbeats in between."""
    hub, heartbeat = resources.hub, resources.settings.stream_heartbeat.total_seconds()
    with hub.watch(interest) as watcher, hub.opened(claims):
        yield ServerSentEvent(comment="connected", retry=RECONNECT_MS)
        try:
            for event in await backlog():
                yield event
            while True:
                entry = await watcher.next(heartbeat)
                if claims is not None and entry is None:
                    await _token_check(resources, claims)
                if entry is None:
                    yield ServerSentEvent(comment="heartbeat")
                    continue
                for event in await changed(*entry):
                    yield event
        except StreamEnded as ended:
            yield ServerSentEvent(data=str(ended), event="end")


def _response(events: AsyncIterator[ServerSentEvent]) -> EventSourceResponse:
    # No buffering by a proxy, no compression: each event goes out as it is made.
    return EventSourceResponse(
        events, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}, send_timeout=10
    )


def _refuse_when_full(resources: Resources, claims: TokenClaims) -> None:
    if resources.hub.open_for(claims) >= resources.settings.streams_per_token:
        raise TooManyStreams(
            f"At most {resources.settings.streams_per_token} streams per token are open at once"
        )


@router.get(
    "/track/{tracking_code}/stream",
    summary="Follow a parcel: its tracking view again after each change (SSE, no personal data)",
    response_class=EventSourceResponse,
)
async def track_stream(
    tracking_code: Annotated[str, Path(max_length=64)],
    resources: ResourcesDep,
    last_event_id: LastEventId = None,
) -> EventSourceResponse:
    sent = _sequence(last_event_id)

    async def now() -> Events:
        nonlocal sent
        async with resources.autocommit.connect() as connection:
            sequence = await shipments.tracking_sequence(connection, tracking_code)
            if sequence is None or sequence <= sent:
                return []
            document = await shipments.tracking_document(connection, tracking_code)
        sent = sequence
        return [ServerSentEvent(data=document, event="tracking", id=str(sequence))]

    async def changed(_: str, change: ShipmentChange) -> Events:
        return await now() if change.sequence > sent else []

    async with resources.autocommit.connect() as connection:
        if await shipments.tracking_sequence(connection, tracking_code) is None:
            raise ShipmentNotFound("No shipment has this tracking code")
    return _response(_events(resources, tracking_interest(tracking_code), now, changed))


@router.get(
    "/shipment/{shipment_id}/events/stream",
    summary="Follow one shipment's timeline, event by event (SSE; its seller or its partner)",
    response_class=EventSourceResponse,
    responses=AUTH_RESPONSES,
)
async def shipment_stream(
    shipment_id: uuid.UUID,
    claims: Claims,
    resources: ResourcesDep,
    last_event_id: LastEventId = None,
) -> EventSourceResponse:
    reader = Reader(claims.role, claims.subject)
    async with resources.reads() as session:
        if await shipments.status_for(session, reader, shipment_id) is None:
            raise ShipmentNotFound("No shipment with this id is yours")
    _refuse_when_full(resources, claims)
    sent = _sequence(last_event_id)

    async def missed() -> Events:
        nonlocal sent
        async with resources.autocommit.connect() as connection:
            events = await shipments.timeline_after(connection, shipment_id, sent)
        if events:
            sent = events[-1]["sequence"]
        return [
            ServerSentEvent(
                data=TimelineEventRead.model_validate(event).model_dump_json(),
                event="timeline",
                id=str(event["sequence"]),
            )
            for event in events
        ]

    async def changed(_: str, change: ShipmentChange) -> Events:
        if not change.concerns(claims.role, claims.subject):  # reassigned away from this partner
            raise StreamEnded("this shipment is no longer assigned to you")
        return await missed() if change.sequence > sent else []

    interest = shipment_interest(shipment_id)
    return _response(_events(resources, interest, missed, changed, claims))


async def _account_feed(
    resources: Resources, claims: TokenClaims, role: Role, last_event_id: str | None
) -> EventSourceResponse:
    """A seller's or partner's feed: one event per change to any of their shipments."""
    require_role(claims, role)
    _refuse_when_full(resources, claims)
    stream = account_stream(role, claims.subject)
    sent = last_event_id if last_event_id and _is_entry_id(last_event_id) else None

    def event(entry_id: str, change: ShipmentChange) -> ServerSentEvent:
        return ServerSentEvent(
            data=FeedChange.of(change).model_dump_json(), event="change", id=entry_id
        )

    async def missed() -> Events:
        nonlocal sent
        if sent is None:  # a new feed starts with what happens next
            return []
        entries = entries_of(await resources.redis.xrange(stream, min=f"({sent}", max="+"))
        events = [event(entry_id, change) for entry_id, change in entries]
        if events:
            sent = events[-1].id
        return events

    async def changed(entry_id: str, change: ShipmentChange) -> Events:
        nonlocal sent
        if sent is not None and _entry_key(entry_id) <= _entry_key(sent):
            return []  # sent already, from the backlog
        sent = entry_id
        return [event(entry_id, change)]

    interest = account_interest(role, claims.subject)
    return _response(_events(resources, interest, missed, changed, claims))


def _is_entry_id(text: str) -> bool:
    milliseconds, _, counter = text.partition("-")
    return milliseconds.isdigit() and counter.isdigit()


def _entry_key(entry_id: str) -> tuple[int, int]:
    milliseconds, _, counter = entry_id.partition("-")
    return int(milliseconds), int(counter)


@router.get(
    "/seller/events",
    summary="The seller's feed: each change to any of their shipments (SSE)",
    response_class=EventSourceResponse,
    responses=AUTH_RESPONSES,
)
async def seller_events(
    claims: Claims, resources: ResourcesDep, last_event_id: LastEventId = None
) -> EventSourceResponse:
    return await _account_feed(resources, claims, Role.SELLER, last_event_id)


@router.get(
    "/partner/events",
    summary="The partner's feed: each change to the shipments assigned to them (SSE)",
    response_class=EventSourceResponse,
    responses=AUTH_RESPONSES,
)
async def partner_events(
    claims: Claims, resources: ResourcesDep, last_event_id: LastEventId = None
) -> EventSourceResponse:
    return await _account_feed(resources, claims, Role.PARTNER, last_event_id)
