"""Prometheus metrics at `GET /metrics`: requests by route template, their latency, and the
shipment gauges operators watch, read from PostgreSQL when scraped.

Several API processes behind one port (API_WORKERS > 1) each count their own requests, and a scrape
reaches only one of them: give them all one empty directory in PROMETHEUS_MULTIPROC_DIR and
prometheus_client sums their counts (its multiprocess mode). One process needs nothing.
"""

import asyncio
import os
from collections.abc import Iterable

import structlog
from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.types import Scope

from api.dependencies import ResourcesDep
from models.domain import ShipmentStatus
from repositories import shipments
from repositories.shipments import ShipmentCounts

log = structlog.get_logger(__name__)

router = APIRouter()

UNMATCHED_ROUTE = "unmatched"  # any path no route serves: one label, however many paths
GAUGES_TIMEOUT_SECONDS = 2.0


def route_template(scope: Scope) -> str:
    """The matched route's path with its parameters as `{name}`, so ids never become labels.

    Rebuilt from the path: a route of an included router knows only its own part of the path.
    """
    if "route" not in scope:
        return UNMATCHED_ROUTE
    names = {str(value): name for name, value in scope.get("path_params", {}).items()}
    segments = scope["path"].split("/")
    return "/".join(
        f"{{{names[segment]}}}" if segment in names else segment for segment in segments
    )


class HttpMetrics:
    """The request counter and latency histogram of one app."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "fastship_http_requests",
            "HTTP requests by method, route template and status code",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "fastship_http_request_duration_seconds",
            "HTTP request latency by method and route template",
            ["method", "route"],
            registry=self.registry,
        )

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_template(scope)
        self.requests.labels(scope["method"], route, str(status)).inc()
        self.latency.labels(scope["method"], route).observe(seconds)

    def exposition(self) -> bytes:
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


class _Gauges(Collector):
    def __init__(self, counts: ShipmentCounts | None) -> None:
        self._counts = counts

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(
            "fastship_shipment_gauges_up", "1 when the shipment gauges could be read"
        )
        up.add_metric([], 0 if self._counts is None else 1)
        yield up
        if self._counts is None:
            return
        by_status = GaugeMetricFamily(
            "fastship_shipments", "Shipments by status", labels=["status"]
        )
        for status in ShipmentStatus:
            by_status.add_metric([status], self._counts.by_status.get(status, 0))
        yield by_status
        yield GaugeMetricFamily(
            "fastship_shipments_waiting_for_partner",
            "Placed shipments no partner has taken yet",
            value=self._counts.waiting_for_partner,
        )
        yield GaugeMetricFamily(
            "fastship_shipments_needing_attention",
            "Active shipments flagged for an operator",
            value=self._counts.needing_attention,
        )


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, resources: ResourcesDep) -> Response:
    counts: ShipmentCounts | None = None
    try:
        async with asyncio.timeout(GAUGES_TIMEOUT_SECONDS):
            async with resources.engine.connect() as connection:
                counts = await shipments.counts(connection)
    except Exception as exc:  # a scrape still answers with the request metrics
        log.warning("shipment gauges unavailable", error=type(exc).__name__)
    gauges = CollectorRegistry()
    gauges.register(_Gauges(counts))
    http: HttpMetrics = request.app.state.metrics
    return Response(http.exposition() + generate_latest(gauges), media_type=CONTENT_TYPE_LATEST)
