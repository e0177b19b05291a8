"""The streams' routes: each served as Server-Sent Events (GET, resumed with `Last-Event-ID`) and
as a WebSocket on the same path (the token and the last id in its first message)."""

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Path, WebSocket
from sse_starlette import EventSourceResponse, ServerSentEvent

from api.dependencies import Claims, ResourcesDep, require_role
from api.errors import AUTH_RESPONSES, NOT_FOUND_RESPONSES, Responses, documented_problem
from api.resources import Resources
from api.security import TokenClaims
from api.streams import sources
from api.streams.sources import Source
from api.streams.websocket import Opener, serve_websocket
from models.domain import Role

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
TrackingCode = Annotated[str, Path(max_length=64)]


async def _sse(resources: Resources, source: Source) -> AsyncIterator[ServerSentEvent]:
    yield ServerSentEvent(comment="connected", retry=RECONNECT_MS)
    async for event in sources.events(resources, source):
        if event.event == "heartbeat":
            yield ServerSentEvent(comment="heartbeat")
        else:
            yield ServerSentEvent(data=event.data, event=event.event, id=event.id)


def _response(resources: Resources, source: Source) -> EventSourceResponse:
    # No buffering by a proxy, no caching: each event goes out as it is made. A client that
    # takes longer than the send timeout to accept one is disconnected.
    return EventSourceResponse(
        _sse(resources, source),
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        send_timeout=10,
    )


@router.get(
    "/track/{tracking_code}/stream",
    summary="Follow a parcel: its tracking view again after each change (SSE, no personal data)",
    response_class=EventSourceResponse,
)
async def track_stream(
    tracking_code: TrackingCode, resources: ResourcesDep, last_event_id: LastEventId = None
) -> EventSourceResponse:
    return _response(resources, await sources.tracking(resources, tracking_code, last_event_id))


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
    source = await sources.timeline(resources, claims, shipment_id, last_event_id)
    return _response(resources, source)


@router.get(
    "/seller/events",
    summary="The seller's feed: each change to any of their shipments (SSE)",
    response_class=EventSourceResponse,
    responses=AUTH_RESPONSES,
)
async def seller_events(
    claims: Claims, resources: ResourcesDep, last_event_id: LastEventId = None
) -> EventSourceResponse:
    require_role(claims, Role.SELLER)
    return _response(resources, sources.feed(resources, claims, last_event_id))


@router.get(
    "/partner/events",
    summary="The partner's feed: each change to the shipments assigned to them (SSE)",
    response_class=EventSourceResponse,
    responses=AUTH_RESPONSES,
)
async def partner_events(
    claims: Claims, resources: ResourcesDep, last_event_id: LastEventId = None
) -> EventSourceResponse:
    require_role(claims, Role.PARTNER)
    return _response(resources, sources.feed(resources, claims, last_event_id))


@router.websocket("/track/{tracking_code}/stream")
async def track_socket(websocket: WebSocket, tracking_code: TrackingCode) -> None:
    async def tracking(resources: Resources, _: TokenClaims | None, last: str | None) -> Source:
        return await sources.tracking(resources, tracking_code, last)

    await serve_websocket(websocket, tracking, public=True)


@router.websocket("/shipment/{shipment_id}/events/stream")
async def shipment_socket(websocket: WebSocket, shipment_id: uuid.UUID) -> None:
    async def timeline(
        resources: Resources, claims: TokenClaims | None, last: str | None
    ) -> Source:
        assert claims is not None  # not a public stream
        return await sources.timeline(resources, claims, shipment_id, last)

    await serve_websocket(websocket, timeline)


def _feed_of(role: Role) -> Opener:
    async def feed(resources: Resources, claims: TokenClaims | None, last: str | None) -> Source:
        assert claims is not None  # not a public stream
        require_role(claims, role)
        return sources.feed(resources, claims, last)

    return feed


@router.websocket("/seller/events")
async def seller_socket(websocket: WebSocket) -> None:
    await serve_websocket(websocket, _feed_of(Role.SELLER))


@router.websocket("/partner/events")
async def partner_socket(websocket: WebSocket) -> None:
    await serve_websocket(websocket, _feed_of(Role.PARTNER))
