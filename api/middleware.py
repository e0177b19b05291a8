"""Request ids on every response and log line, one structured log line per request, and the
request metrics."""

import time

import structlog
from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import REQUEST_ID_HEADER
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


def install_middleware(app: FastAPI, metrics: HttpMetrics) -> None:
    # Added last runs first: the request id exists before the request log binds it.
    app.add_middleware(RequestLogMiddleware, metrics=metrics)
    app.add_middleware(CorrelationIdMiddleware, header_name=REQUEST_ID_HEADER)
