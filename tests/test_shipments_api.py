"""Creating and reading shipments through HTTP, with the workflow running on a real worker."""

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from fastship.embedded import free_port, temporal_cli_path
from fastship.settings import Settings
from models.domain import SearchAttributes
from models.shipments import Shipment
from tests.conftest import SignUp
from tests.helpers import eventually, serve_api

SHIPMENT = "/api/v1/shipment"

VALID = {
    "content": "Two hardcover books",
    "weight": 1.2,
    "destination_zip": "10001",
    "client_contact_email": "ana@example.com",
    "client_contact_phone": "+14155550123",
    "tags": ["fragile", "gift", "fragile"],
}


async def _create(
    api: httpx.AsyncClient, auth: dict[str, str], body: dict[str, Any] = VALID, key: str = ""
) -> httpx.Response:
    headers = auth | ({"Idempotency-Key": key} if key else {})
    return await api.post(SHIPMENT, json=body, headers=headers)


async def _count_shipments(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(Shipment)) or 0


async def test_created_shipment_is_placed_and_readable_by_its_owner(
    api: httpx.AsyncClient, seller_auth: dict[str, str]
) -> None:
    response = await _create(api, seller_auth)

    assert response.status_code == 201
    shipment = response.json()
    assert response.headers["location"] == f"{SHIPMENT}/{shipment['id']}"
    assert shipment["status"] == "placed"
    assert shipment["weight"] == 1.2
    assert shipment["tags"] == ["fragile", "gift"]
    assert shipment["partner_id"] is None
    assert len(shipment["tracking_code"]) >= 22  # at least 128 random bits, base64url
    created = datetime.fromisoformat(shipment["created_at"])
    estimate = datetime.fromisoformat(shipment["estimated_delivery"])
    assert abs(estimate - created - timedelta(days=3)) < timedelta(seconds=5)

    me = (await api.get("/api/v1/seller/me", headers=seller_auth)).json()
    [event] = shipment["timeline"]  # the workflow recorded it before the 201
    assert event["status"] == "placed"
    assert event["actor"] == f"seller:{me['id']}"
    assert event["description"] == "Shipment placed"

    read = await api.get(response.headers["location"], headers=seller_auth)
    assert read.status_code == 200
    assert read.json() == shipment


async def test_tracking_codes_differ(api: httpx.AsyncClient, seller_auth: dict[str, str]) -> None:
    first = (await _create(api, seller_auth)).json()
    second = (await _create(api, seller_auth)).json()
    assert first["id"] != second["id"]
    assert first["tracking_code"] != second["tracking_code"]


async def test_operators_find_the_shipment_workflow_by_its_search_attributes(
    api: httpx.AsyncClient, seller_auth: dict[str, str], temporal: Client
) -> None:
    shipment = (await _create(api, seller_auth)).json()
    seller_id = (await api.get("/api/v1/seller/me", headers=seller_auth)).json()["id"]

    async def search() -> list[str]:
        query = f'ShipmentStatus="placed" AND SellerId="{seller_id}" AND DestinationZip="10001"'
        return [execution.id async for execution in temporal.list_workflows(query)]

    found = await eventually(search, lambda ids: len(ids) == 1)
    assert found == [f"shipment-{shipment['id']}"]

    description = await temporal.get_workflow_handle(found[0]).describe()
    assert description.typed_search_attributes.get(SearchAttributes.NEEDS_ATTENTION) is False
    summary = await description.static_summary()
    assert summary is not None
    assert "10001" in summary
    assert "1.2" in summary
    assert "ana@example.com" not in summary
    assert "+14155550123" not in summary


async def test_another_sellers_shipment_is_not_found(
    api: httpx.AsyncClient, seller_auth: dict[str, str], sign_up_seller: SignUp
) -> None:
    location = (await _create(api, seller_auth)).headers["location"]
    stranger = await sign_up_seller()

    response = await api.get(location, headers=stranger)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "Two hardcover books" not in response.text


async def test_unknown_and_malformed_ids(
    api: httpx.AsyncClient, seller_auth: dict[str, str]
) -> None:
    unknown = await api.get(f"{SHIPMENT}/{uuid.uuid4()}", headers=seller_auth)
    assert unknown.status_code == 404

    malformed = await api.get(f"{SHIPMENT}/not-a-uuid", headers=seller_auth)
    assert malformed.status_code == 422
    assert "path.shipment_id" in malformed.json()["detail"]


async def test_creating_needs_a_seller_token(api: httpx.AsyncClient) -> None:
    response = await api.post(SHIPMENT, json=VALID)
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weight": 0}, "body.weight"),
        ({"weight": 25.001}, "body.weight"),
        ({"weight": "heavy"}, "body.weight"),
        ({"content": ""}, "body.content"),
        ({"content": "x" * 501}, "body.content"),
        ({"destination_zip": "12"}, "body.destination_zip"),
        ({"destination_zip": "100-01"}, "body.destination_zip"),
        ({"destination_zip": 10001}, "body.destination_zip"),
        ({"client_contact_email": "ana"}, "body.client_contact_email"),
        ({"client_contact_phone": "555-0123"}, "body.client_contact_phone"),
        ({"tags": ["urgent"]}, "body.tags.0"),
    ],
)
async def test_invalid_shipment_is_refused_and_nothing_is_stored(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    sessions: async_sessionmaker[AsyncSession],
    change: dict[str, Any],
    field: str,
) -> None:
    response = await _create(api, seller_auth, VALID | change)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith(f"{field}: ")
    assert await _count_shipments(sessions) == 0


async def test_boundary_values_are_accepted(
    api: httpx.AsyncClient, seller_auth: dict[str, str]
) -> None:
    body = VALID | {"weight": 25, "content": "x" * 500, "destination_zip": "sw1a1aa"}
    response = await _create(api, seller_auth, body)
    assert response.status_code == 201
    assert response.json()["destination_zip"] == "SW1A1AA"


async def test_replaying_an_idempotency_key_returns_the_first_shipment(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    sessions: async_sessionmaker[AsyncSession],
    temporal: Client,
) -> None:
    first = await _create(api, seller_auth, key="order-1001")
    again = await _create(api, seller_auth, key="order-1001")

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert await _count_shipments(sessions) == 1
    executions = [
        execution
        async for execution in temporal.list_workflows(
            f'WorkflowId="shipment-{first.json()["id"]}"'
        )
    ]
    assert len(executions) == 1


async def test_concurrent_creates_with_one_idempotency_key_make_one_shipment(
    api: httpx.AsyncClient, seller_auth: dict[str, str], sessions: async_sessionmaker[AsyncSession]
) -> None:
    responses = await asyncio.gather(
        *(_create(api, seller_auth, key="order-race") for _ in range(8))
    )

    assert {response.status_code for response in responses} == {201}
    assert len({response.json()["id"] for response in responses}) == 1
    assert await _count_shipments(sessions) == 1


async def test_replaying_a_key_after_the_workflow_closed_returns_the_shipment(
    api: httpx.AsyncClient, seller_auth: dict[str, str], temporal: Client
) -> None:
    first = (await _create(api, seller_auth, key="order-1004")).json()
    await temporal.get_workflow_handle(f"shipment-{first['id']}").terminate("closed for the test")

    again = await _create(api, seller_auth, key="order-1004")

    assert again.status_code == 201
    assert again.json()["id"] == first["id"]


async def test_an_idempotency_key_reused_for_another_request_conflicts(
    api: httpx.AsyncClient, seller_auth: dict[str, str], sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _create(api, seller_auth, key="order-1002")

    response = await _create(api, seller_auth, VALID | {"weight": 2}, key="order-1002")

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key" in response.json()["detail"]
    assert await _count_shipments(sessions) == 1


async def test_idempotency_keys_belong_to_one_seller(
    api: httpx.AsyncClient, seller_auth: dict[str, str], sign_up_seller: SignUp
) -> None:
    mine = await _create(api, seller_auth, key="order-1003")
    theirs = await _create(api, await sign_up_seller(), key="order-1003")
    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]


async def test_with_temporal_unreachable_the_create_fails_cleanly_and_stores_nothing(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], seller_auth: dict[str, str]
) -> None:
    unreachable = settings.model_copy(update={"temporal_address": f"127.0.0.1:{free_port()}"})
    async with serve_api(unreachable) as api:
        response = await _create(api, seller_auth)

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "no shipment was created" in response.json()["detail"]
    assert await _count_shipments(sessions) == 0


async def test_with_no_worker_running_the_create_answers_with_what_is_stored(
    settings: Settings, seller_auth: dict[str, str]
) -> None:
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli_path(),
        search_attributes=SearchAttributes.ALL,
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
    ) as workerless:
        no_worker = settings.model_copy(
            update={
                "temporal_address": workerless.client.service_client.config.target_host,
                "create_confirmation_timeout": timedelta(seconds=1),
            }
        )
        async with serve_api(no_worker) as api:
            response = await _create(api, seller_auth)
            shipment = response.json()
            handle = workerless.client.get_workflow_handle(f"shipment-{shipment['id']}")
            description = await handle.describe()

    assert response.status_code == 201
    assert shipment["status"] == "placed"
    assert shipment["timeline"] == []  # recorded once a worker picks the workflow up
    assert description.status is WorkflowExecutionStatus.RUNNING
