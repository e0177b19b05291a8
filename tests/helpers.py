import asyncio
import base64
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
import uvicorn
from fastapi import FastAPI

from api.app import create_app
from fastship.settings import Settings
from launcher.embedded import free_port

T = TypeVar("T")

# A key of this run's own: the test server's histories are encrypted like production's.
PAYLOAD_KEYS = f"test:{base64.b64encode(os.urandom(32)).decode()}"


async def eventually(
    probe: Callable[[], Awaitable[T]], accept: Callable[[T], bool], within: float = 10
) -> T:
    """Polls `probe` until `accept` holds for its result, for things that happen asynchronously."""
    deadline = time.monotonic() + within
    while True:
        result = await probe()
        if accept(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still not accepted after {within} s: {result!r}")
        await asyncio.sleep(0.1)


@asynccontextmanager
async def serve_app(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The API app with its lifespan, and an HTTP client calling it in-process."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://fastship.test") as client,
    ):
        yield app, client


@asynccontextmanager
async def serving_uvicorn(settings: Settings, port: int) -> AsyncIterator[str]:
    """The app on a real uvicorn server on `port` (what streams and browsers need); its URL."""
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None)
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:
        assert not serving.done(), "uvicorn did not start"
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving


@asynccontextmanager
async def serve_api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(settings) as (_, client):
        yield client


async def start_worker(
    settings: Settings,
    metrics_port: int | None = None,
    module: str = "worker",
    read_log: bool = False,
) -> asyncio.subprocess.Process:
    """`python -m worker` (or `module`) as its own process, with the settings' servers and
    providers. Its log goes on into the test's output, unless the caller reads it (`read_log`)."""
    env = os.environ | {
        "ENVIRONMENT": "test",
        "JWT_SECRET": settings.jwt_secret.get_secret_value(),
        "PAYLOAD_ENCRYPTION_KEYS": settings.payload_encryption_keys.get_secret_value(),
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "TEMPORAL_ADDRESS": settings.temporal_address,
        "WORKER_METRICS_PORT": str(metrics_port or free_port()),
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": str(settings.webhooks_may_reach_private_networks),
    }
    if settings.sendgrid_api_key is not None:
        env |= {
            "SENDGRID_API_KEY": settings.sendgrid_api_key.get_secret_value(),
            "SENDGRID_API_URL": settings.sendgrid_api_url,
        }
    if settings.twilio_auth_token is not None:
        env |= {
            "TWILIO_ACCOUNT_SID": settings.twilio_account_sid or "",
            "TWILIO_AUTH_TOKEN": settings.twilio_auth_token.get_secret_value(),
            "TWILIO_FROM_NUMBER": settings.twilio_from_number or "",
            "TWILIO_API_URL": settings.twilio_api_url,
        }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, env=env, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    async with asyncio.timeout(30):
        while True:
            line = await process.stdout.readline()
            assert line, "the worker exited before it started"
            if json.loads(line)["event"] == "worker started":
                break
    if not read_log:  # someone must read it: a full pipe would stop the worker mid-write
        _draining.add(asyncio.create_task(_echo(process.stdout)))
    return process


_draining: set[asyncio.Task[None]] = set()


async def _echo(stream: asyncio.StreamReader) -> None:
    async for line in stream:
        sys.stdout.write(line.decode(errors="replace"))


def payloads_in(document: Any) -> Iterator[dict[str, Any]]:
    """Every Payload of a history's JSON: the objects with `metadata` and `data`."""
    if isinstance(document, dict):
        if "metadata" in document and "data" in document:
            yield document
        for value in document.values():
            yield from payloads_in(value)
    elif isinstance(document, list):
        for value in document:
            yield from payloads_in(value)


def payload_data(payload: dict[str, Any]) -> bytes:
    """A JSON Payload's bytes; proto3 JSON leaves out empty data (a None result, for one)."""
    return base64.b64decode(payload.get("data", ""))
