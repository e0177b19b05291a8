"""What each stream sends, whatever carries it (Server-Sent Events or WebSocket).

A stream starts where its client left off (its last event id): the tracking view and a shipment's
timeline from PostgreSQL by timeline sequence, a seller's or partner's feed from their own Redis
stream by entry id. Then it sends what each change its hub hands over brings. It holds no database
connection while it waits, and checks its token again at every heartbeat.
"""

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus

from api.dependencies import require_shipment_party
from api.errors import AppError
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
from repositories import shipments
from repositories.shipments import Reader


@dataclass(frozen=True)
class StreamEvent:
    event: str  # "tracking", "timeline", "change"; "heartbeat"; "end" (then the stream stops)
    data: str = ""  # JSON, or the reason an `end` gives
    id: str | None = None  # what the client sends back to resume


Events = list[StreamEvent]


class TooManyStreams(AppError):
    """This token has as many streams open as it may; close one first."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "too-many-streams"


@dataclass(frozen=True)
class Source:
    interest: Interest
    backlog: Callable[[], Awaitable[Events]]  # what the client missed
    changed: Callable[[str, ShipmentChange], Awaitable[Events]]  # what a change brings
    claims: TokenClaims | None = None  # None: a public stream


def _sequence(last_event_id: str | None) -> int:
    """A resumed timeline stream's last sequence (0: from the start)."""
    return int(last_event_id) if last_event_id and last_event_id.isdigit() else 0


async def tracking(resources: Resources, tracking_code: str, last_event_id: str | None) -> Source:
    """The parcel's tracking view (no personal data), again after each change."""
    sent = _sequence(last_event_id)

    async def view() -> str:
        async with resources.autocommit.connect() as connection:
            document = await shipments.tracking_document(connection, tracking_code)
        assert document is not None  # shipments are never deleted
        return document

    async def now() -> Events:
        nonlocal sent
        async with resources.autocommit.connect() as connection:
            sequence = await shipments.tracking_sequence(connection, tracking_code)
        if sequence is None or sequence <= sent:
            return []
        sent = sequence
        return [StreamEvent("tracking", await view(), str(sequence))]

    async def changed(_: str, change: ShipmentChange) -> Events:
        nonlocal sent
        if change.sequence <= sent:
            return []
        sent = change.sequence
        # Read once per change for every stream of this process following the parcel.
        document = await resources.hub.shared(("tracking", tracking_code, sent), view)
        return [StreamEvent("tracking", document, str(sent))]

    async with resources.autocommit.connect() as connection:
        if await shipments.tracking_sequence(connection, tracking_code) is None:
            raise ShipmentNotFound("No shipment has this tracking code")
    return Source(tracking_interest(tracking_code), now, changed)


async def timeline(
    resources: Resources, claims: TokenClaims, shipment_id: uuid.UUID, last_event_id: str | None
) -> Source:
    """One shipment's timeline events, for its seller or its assigned partner."""
    require_shipment_party(claims)
    async with resources.reads() as session:
        reader = Reader(claims.role, claims.subject)
        if await shipments.status_for(session, reader, shipment_id) is None:
            raise ShipmentNotFound("No shipment with this id is yours")
    refuse_when_full(resources, claims)
    sent = _sequence(last_event_id)

    async def missed() -> Events:
        nonlocal sent
        async with resources.autocommit.connect() as connection:
            events = await shipments.timeline_after(connection, shipment_id, sent)
        if events:
            sent = events[-1]["sequence"]
        return [
            StreamEvent(
                "timeline",
                TimelineEventRead.model_validate(event).model_dump_json(),
                str(event["sequence"]),
            )
            for event in events
        ]

    async def changed(_: str, change: ShipmentChange) -> Events:
        if not change.concerns(claims.role, claims.subject):  # reassigned away from this partner
            raise StreamEnded("this shipment is no longer assigned to you")
        return await missed() if change.sequence > sent else []

    return Source(shipment_interest(shipment_id), missed, changed, claims)


def feed(resources: Resources, claims: TokenClaims, last_event_id: str | None) -> Source:
    """A seller's or partner's feed: one event per change to any of their shipments."""
    refuse_when_full(resources, claims)
    stream = account_stream(claims.role, claims.subject)
    sent = last_event_id if last_event_id and _is_entry_id(last_event_id) else None

    def event(entry_id: str, change: ShipmentChange) -> StreamEvent:
        return StreamEvent("change", FeedChange.of(change).model_dump_json(), entry_id)

    async def missed() -> Events:
        nonlocal sent
        if sent is None:  # a new feed starts with what happens next
            return []
        entries = entries_of(await resources.redis.xrange(stream, min=f"({sent}", max="+"))
        if entries:
            sent = entries[-1][0]
        return [event(entry_id, change) for entry_id, change in entries]

    async def changed(entry_id: str, change: ShipmentChange) -> Events:
        nonlocal sent
        if sent is not None and _entry_key(entry_id) <= _entry_key(sent):
            return []  # sent already, from the backlog
        sent = entry_id
        return [event(entry_id, change)]

    return Source(account_interest(claims.role, claims.subject), missed, changed, claims)


def _is_entry_id(text: str) -> bool:
    milliseconds, _, counter = text.partition("-")
    return milliseconds.isdigit() and counter.isdigit()


def _entry_key(entry_id: str) -> tuple[int, int]:
    milliseconds, _, counter = entry_id.partition("-")
    return int(milliseconds), int(counter)


def refuse_when_full(resources: Resources, claims: TokenClaims) -> None:
    if resources.hub.open_for(claims) >= resources.settings.streams_per_token:
        raise TooManyStreams(
            f"At most {resources.settings.streams_per_token} streams per token are open at once"
        )


async def _check_token(resources: Resources, claims: TokenClaims) -> None:
    if claims.expires_at <= datetime.now(UTC):
        raise StreamEnded("the access token has expired; log in again")
    if await is_revoked(resources.redis, claims):
        raise StreamEnded("the access token was revoked; log in again")


async def events(resources: Resources, source: Source) -> AsyncIterator[StreamEvent]:
    """What was missed, then what each change brings, a heartbeat (and a token check) every
    STREAM_HEARTBEAT however busy the stream; ends with an `end` event saying why."""
    hub, heartbeat = resources.hub, resources.settings.stream_heartbeat.total_seconds()
    with hub.watch(source.interest) as watcher, hub.opened(source.claims):
        try:
            for event in await source.backlog():
                yield event
            beat_at = time.monotonic() + heartbeat
            while True:
                entry = await watcher.next(max(0.0, beat_at - time.monotonic()))
                if entry is not None:
                    for event in await source.changed(*entry):
                        yield event
                if time.monotonic() >= beat_at:
                    if source.claims is not None:
                        await _check_token(resources, source.claims)
                    yield StreamEvent("heartbeat")
                    beat_at = time.monotonic() + heartbeat
        except StreamEnded as ended:
            yield StreamEvent("end", str(ended))
