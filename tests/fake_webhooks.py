"""A seller's webhook endpoint for tests: an aiohttp server on 127.0.0.1 that records requests."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.body)
        return document

    @property
    def is_handshake(self) -> bool:
        return bool(self.document["type"] == "webhook.verification")


class Receiver:
    """A seller's endpoint: records every request; answers as the test says."""

    def __init__(self) -> None:
        self.url = ""
        self.received: list[Received] = []
        self.echoes_challenges = True
        self.failures_to_come = 0

    async def handle(self, request: web.Request) -> web.Response:
        received = Received(dict(request.headers), await request.read())
        self.received.append(received)
        if received.is_handshake:
            if self.echoes_challenges:
                return web.json_response({"challenge": received.document["challenge"]})
            return web.json_response({"ok": True})
        if self.failures_to_come:
            self.failures_to_come -= 1
            return web.Response(status=500)
        return web.Response(status=204)

    @property
    def deliveries(self) -> list[Received]:
        return [received for received in self.received if not received.is_handshake]


@asynccontextmanager
async def serving_receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hooks", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hooks"
    try:
        yield receiver
    finally:
        await runner.cleanup()
