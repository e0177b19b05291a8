"""Request ids on every response and log line, one structured log line per request, and the
request metrics."""

import time
from http import HTTPStatus

import structlog
from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import BODY_TOO_LARGE, REQUEST_ID_HEADER, problem_response
from api.metrics import HttpMetrics

log = structlog.get_logger("api.request")


class RequestLogMiddleware:
    """Binds the request id to every log line of the request, logs its outcome and counts it."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=correlation_id.get())
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            seconds = time.perf_counter() - started
            self.metrics.observe(scope, status, seconds)
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round(seconds * 1000, 2),
            )


class DeclaredBodyLimit:
    """A request declaring a body over the limit gets a 413 problem before a byte is read."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                detail = f"The body is {declared} bytes; at most {self.max_bytes} are taken"
                response = problem_response(
                    request, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, detail, code=BODY_TOO_LARGE
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install_middleware(app: FastAPI, metrics: HttpMetrics, max_body_bytes: int) -> None:
    # Added last runs first: the request id exists before the request log binds it.
    app.add_middleware(DeclaredBodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(RequestLogMiddleware, metrics=metrics)
    app.add_middleware(CorrelationIdMiddleware, header_name=REQUEST_ID_HEADER)
