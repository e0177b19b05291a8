"""Every failure is RFC 9457 problem+json; every response and log line carries the request id."""

import io
import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from api.app import MAX_BODY_BYTES, create_app
from fastship.logging import configure_logging
from fastship.settings import Settings
from tests.shipments import SHIPMENT, created, deliver, report

JSON = {"Content-Type": "application/json"}


async def test_unknown_route_is_a_problem(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Not Found"
    assert response.json()["instance"] == "/api/v1/nowhere"


async def test_wrong_method_is_a_problem_naming_every_method_of_the_resource(
    api: httpx.AsyncClient,
) -> None:
    response = await api.delete("/api/v1/seller/me")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["allow"] == "GET, PATCH"
    assert response.json()["detail"] == "/api/v1/seller/me answers GET, PATCH, not DELETE"


async def test_options_lists_what_a_resource_answers(api: httpx.AsyncClient) -> None:
    shipment = "/api/v1/shipment/123e4567-e89b-12d3-a456-426614174000"
    me = await api.options("/api/v1/seller/me")
    events = await api.options(f"{shipment}/events")
    page = await api.options("/track/abc")
    nowhere = await api.options("/api/v1/nowhere")

    assert (me.status_code, me.headers["allow"]) == (204, "GET, PATCH")
    assert (events.status_code, events.headers["allow"]) == (204, "POST")
    assert (page.status_code, page.headers["allow"]) == (204, "GET, HEAD")
    assert nowhere.status_code == 404


async def test_malformed_json_is_a_bad_request(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/api/v1/seller/signup",
        content=b'{"name": "A", "email":',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "JSON" in response.json()["detail"]


async def test_unexpected_error_is_a_problem_without_internals(settings: Settings) -> None:
    app: FastAPI = create_app(settings)

    @app.get("/api/v1/boom")  # added after the app: under the API, not a page of the web app
    async def boom() -> None:
        raise RuntimeError("secret internals")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://fastship.test") as client:
        response = await client.get("/api/v1/boom")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret internals" not in response.text
    assert response.json()["request_id"] == response.headers["x-request-id"]


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The JSON log lines written while the test runs."""
    stream = io.StringIO()
    configure_logging(stream=stream)
    yield stream
    configure_logging()


async def test_request_id_is_returned_and_logged(
    api: httpx.AsyncClient, log_lines: io.StringIO
) -> None:
    generated = await api.get("/health/live")
    assert len(generated.headers["x-request-id"]) == 32

    given = "4f9c1d3e5b7a4c2e9d8f0a1b2c3d4e5f"
    response = await api.get("/api/v1/seller/me", headers={"X-Request-ID": given})

    assert response.headers["x-request-id"] == given
    assert response.json()["request_id"] == given
    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    [request_log] = [
        line for line in lines if line.get("request_id") == given and line["event"] == "request"
    ]
    assert request_log["path"] == "/api/v1/seller/me"
    assert request_log["status"] == 401


async def test_every_problem_names_its_kind_by_a_code_its_type_uri_documents(
    api: httpx.AsyncClient,
) -> None:
    answers = [
        await api.get("/api/v1/nowhere"),
        await api.delete("/api/v1/seller/me"),
        await api.post("/api/v1/seller/signup", json={}),
        await api.post("/api/v1/seller/signup", content=b"{", headers=JSON),
        await api.get("/api/v1/seller/me"),
    ]

    codes = [answer.json()["code"] for answer in answers]
    assert codes == [
        "no-such-route",
        "method-not-allowed",
        "invalid-request",
        "malformed-request",
        "unauthorized",
    ]
    for answer in answers:
        problem = answer.json()
        assert problem["type"] == f"http://fastship.test/api/v1/problems/{problem['code']}"
        documented = await api.get(problem["type"])
        assert documented.status_code == 200
        assert documented.json()["status"] == answer.status_code
        assert documented.json()["description"]
    catalog = {kind["code"] for kind in (await api.get("/api/v1/problems")).json()}
    assert {"invalid-transition", "zip-not-served", "shipment-not-found"} <= catalog


async def test_a_refusal_reads_the_same_whether_the_api_or_the_workflow_made_it(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    placed = (await created(api, seller_auth))["id"]
    delivered = (await created(api, seller_auth))["id"]
    await deliver(api, partner_auth, delivered)

    # The workflow's validator refuses a scan before pickup...
    by_workflow = await report(api, partner_auth, placed, location_zip="07030")
    # ...the API refuses, from the stored row, to cancel what was delivered.
    by_api = await api.post(f"{SHIPMENT}/{delivered}/cancel", headers=seller_auth)

    for refused in (by_workflow, by_api):
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "invalid-transition"
        assert refused.json()["type"].endswith("/api/v1/problems/invalid-transition")


async def test_a_body_over_the_limit_is_refused_before_it_is_read(api: httpx.AsyncClient) -> None:
    too_large = b'{"name": "' + b"a" * (MAX_BODY_BYTES + 1) + b'"}'
    response = await api.post("/api/v1/seller/signup", content=too_large, headers=JSON)

    assert response.status_code == 413
    problem = response.json()
    assert problem["code"] == "body-too-large"
    documented = await api.get(problem["type"])
    assert documented.status_code == 200
    assert documented.json()["status"] == 413
