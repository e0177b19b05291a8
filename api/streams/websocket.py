"""The streams over WebSocket: the same events as the Server-Sent ones, as JSON messages.

The client's first message, within FIRST_MESSAGE_SECONDS, carries its token (never the URL, which
proxies log) and the last event id it saw: `{"token": "...", "last_event_id": "..."}`. A refusal is
sent as an `error` message with the problem's `code` and `status`, then the socket is closed with
4000 + that status (4401, 4404, 4429...). A stream that ends sends its `end` message first.
"""

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, ValidationError

from api.errors import AppError, Unauthorized
from api.resources import Resources
from api.revocation import is_revoked
from api.security import TokenClaims, decode_access_token
from api.streams import sources
from api.streams.sources import Source, StreamEvent

FIRST_MESSAGE_SECONDS = 5.0
SEND_TIMEOUT_SECONDS = 10.0  # a client that takes longer to accept a message is dropped
_DATA_EVENTS = frozenset({"tracking", "timeline", "change"})  # their data is JSON

Opener = Callable[[Resources, TokenClaims | None, str | None], Awaitable[Source]]


class FirstMessage(BaseModel):
    token: str | None = Field(default=None, max_length=2048)
    last_event_id: str | None = Field(default=None, max_length=64)


class _Refused(Exception):
    def __init__(self, code: str, status: int, detail: str) -> None:
        super().__init__(detail)
        self.code, self.status, self.detail = code, status, detail


def _message(event: StreamEvent) -> str:
    data: Any = json.loads(event.data) if event.event in _DATA_EVENTS else event.data
    return json.dumps({"event": event.event, "id": event.id, "data": data})


async def _first_message(websocket: WebSocket) -> FirstMessage:
    try:
        async with asyncio.timeout(FIRST_MESSAGE_SECONDS):
            text = await websocket.receive_text()
        return FirstMessage.model_validate_json(text)
    except TimeoutError:
        raise _Refused("unauthorized", 401, "No first message within 5 s") from None
    except ValidationError:
        raise _Refused(
            "invalid-request", 422, 'The first message is {"token": ..., "last_event_id": ...}'
        ) from None


async def _claims(resources: Resources, token: str | None) -> TokenClaims:
    if token is None:
        raise Unauthorized("This stream needs the access token in the first message")
    claims = decode_access_token(resources.settings, token)
    if await is_revoked(resources.redis, claims):
        raise Unauthorized("The access token was revoked; log in again")
    return claims


async def serve_websocket(
    websocket: WebSocket, open_source: Opener, *, public: bool = False
) -> None:
    resources: Resources = websocket.app.state.resources
    await websocket.accept()
    try:
        first = await _first_message(websocket)
        claims = None if public else await _claims(resources, first.token)
        source = await open_source(resources, claims, first.last_event_id)
        async for event in sources.events(resources, source):
            async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                await websocket.send_text(_message(event))
        await websocket.close()
    except AppError as error:
        await _refuse(websocket, _Refused(error.code, int(error.status), str(error)))
    except _Refused as refused:
        await _refuse(websocket, refused)
    except (WebSocketDisconnect, TimeoutError):
        pass  # gone, or too slow to take its messages: it resumes from its last id


async def _refuse(websocket: WebSocket, refused: _Refused) -> None:
    error = {"code": refused.code, "status": refused.status, "detail": refused.detail}
    await websocket.send_text(json.dumps({"event": "error", "id": None, "data": error}))
    await websocket.close(code=4000 + refused.status, reason=refused.code)
