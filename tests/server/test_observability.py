"""What operators see: the API's and the worker's Prometheus metrics, one trace per request from the
API through the workflow to its activities and the database, and the trace id in the logs."""

import io
import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from fastship.database import create_engine, create_session_factory
from fastship.logging import configure_logging
from fastship.settings import Settings
from fastship.telemetry.tracing import configure_tracing, trace_engine
from fastship.temporal import connect_temporal
from launcher.embedded import free_port
from tests.accounts import SignUp
from tests.helpers import eventually, serve_api, start_worker
from tests.shipments import SHIPMENT, VALID, create, created, outbox
from worker.main import build_worker

NOTIFICATIONS = "fastship_notifications_total"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(exposition: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float | None:
    """The sample whose labels include `labels` (there must be at most one)."""
    matching = [v for (n, ls), v in found.items() if n == name and set(labels.items()) <= ls]
    assert len(matching) <= 1, (name, labels, matching)
    return matching[0] if matching else None


async def test_api_metrics_count_requests_by_route_template_and_show_the_shipment_gauges(
    settings: Settings,
    worker: None,
    seller_auth: dict[str, str],
    sign_up_partner: SignUp,
) -> None:
    await sign_up_partner(["20002"], capacity=1)
    busy = VALID | {"destination_zip": "20002"}
    async with serve_api(settings) as api:
        assigned = await created(api, seller_auth, busy)
        await created(api, seller_auth, busy)  # its only partner is full: it waits
        for _ in range(2):
            response = await api.get(f"{SHIPMENT}/{assigned['id']}", headers=seller_auth)
            assert response.status_code == 200
        missing = await api.get(f"{SHIPMENT}/{uuid.uuid4()}", headers=seller_auth)
        assert missing.status_code == 404
        assert (await api.get("/api/v1/no/such/route")).status_code == 404

        response = await api.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    requests = "fastship_http_requests_total"
    one = f"{SHIPMENT}/{{shipment_id}}"
    assert value(found, requests, method="GET", route=one, status="200") == 2
    assert value(found, requests, method="GET", route=one, status="404") == 1
    assert value(found, requests, method="POST", route=SHIPMENT, status="201") == 2
    assert value(found, requests, method="GET", route="unmatched", status="404") == 1
    assert not [labels for (_, labels) in found if ("route", assigned["id"]) in labels]
    latency = "fastship_http_request_duration_seconds_count"
    assert value(found, latency, method="GET", route=one) == 3
    assert value(found, "fastship_shipments", status="placed") == 2
    assert value(found, "fastship_shipments", status="delivered") == 0
    assert value(found, "fastship_shipments_waiting_for_partner") == 1
    assert value(found, "fastship_shipments_needing_attention") == 0
    assert value(found, "fastship_shipment_gauges_up") == 1


async def test_api_metrics_show_server_errors_and_stay_out_of_the_api_schema(
    settings: Settings,
) -> None:
    unreachable = settings.model_copy(update={"temporal_address": f"127.0.0.1:{free_port()}"})
    async with serve_api(unreachable) as api:
        assert (await api.get("/health/ready")).status_code == 503
        response = await api.get("/metrics")
        schema = (await api.get("/api/v1/openapi.json")).json()

    found = samples(response.text)
    assert value(found, "fastship_http_requests_total", route="/health/ready", status="503") == 1
    assert not [path for path in schema["paths"] if path.endswith("/metrics")]


async def test_worker_serves_the_sdk_metrics_and_its_own_counters(
    own_temporal: Settings, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    port = free_port()
    worker = await start_worker(own_temporal, port)
    try:
        async with serve_api(own_temporal) as api:
            shipment_id = (await created(api, seller_auth))["id"]
            await eventually(lambda: outbox(api, shipment_id), lambda messages: len(messages) > 0)

        async def scrape() -> Samples:
            async with httpx.AsyncClient() as client:
                return samples((await client.get(f"http://127.0.0.1:{port}/metrics")).text)

        found = await eventually(
            scrape, lambda found: value(found, NOTIFICATIONS, outcome="sent") is not None
        )
    finally:
        worker.terminate()
        await worker.wait()

    names = {name for name, _ in found}
    assert "temporal_workflow_task_execution_latency_count" in names
    assert "temporal_local_activity_execution_latency_count" in names  # a create runs only those
    outcomes = "fastship_activity_outcomes_total"
    assert value(found, outcomes, activity="place_shipment", outcome="completed") == 1
    assert value(found, outcomes, activity="send_notifications", outcome="completed") == 1
    emails = value(found, NOTIFICATIONS, channel="email", outcome="sent")
    assert emails is not None
    assert emails >= 1


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging(stream=stream)
    yield stream
    configure_logging()


async def test_one_trace_spans_the_request_the_workflow_its_activity_and_the_database(
    own_temporal: Settings,
    redis: Redis,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    log_lines: io.StringIO,
) -> None:
    exporter = InMemorySpanExporter()
    provider = configure_tracing(own_temporal, exporter)
    assert provider is not None
    engine = create_engine(own_temporal)
    try:
        trace_engine(engine)
        client = await connect_temporal(own_temporal)
        worker = build_worker(client, create_session_factory(engine), own_temporal, redis)
        async with worker, serve_api(own_temporal) as api:
            response = await create(api, seller_auth)
            assert response.status_code == 201, response.text
        provider.force_flush()
    finally:
        configure_tracing(own_temporal)  # off again, as in every other test
        await engine.dispose()

    spans = exporter.get_finished_spans()
    [request] = [span for span in spans if span.name == f"POST {SHIPMENT}" and not span.parent]
    assert request.context is not None
    trace_id = request.context.trace_id
    in_trace = {span.name for span in spans if span.context and span.context.trace_id == trace_id}
    assert {
        "StartUpdateWithStartWorkflow:ShipmentWorkflow",
        "RunWorkflow:ShipmentWorkflow",
        "StartActivity:place_shipment",
        "RunActivity:place_shipment",
    } <= in_trace
    assert any(name.startswith("INSERT") for name in in_trace), in_trace

    request_ids = response.headers["x-request-id"]
    [logged] = [
        line
        for line in map(json.loads, log_lines.getvalue().splitlines())
        if line["event"] == "request" and line.get("request_id") == request_ids
    ]
    assert logged["trace_id"] == format(trace_id, "032x")
