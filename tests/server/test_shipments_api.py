"""Creating and reading shipments through HTTP, with the workflow running on a real worker."""

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import CancelledError

from api.errors import ServiceUnavailable
from api.shipments.service import command
from fastship.settings import Settings
from fastship.temporal import connect_temporal
from launcher.embedded import free_port
from models.domain import TASK_QUEUE, SearchAttributes
from models.shipments import Shipment
from models.workflow_ids import shipment_workflow_id
from tests.accounts import SignUp
from tests.helpers import eventually, serve_api, serve_app
from tests.shipments import SHIPMENT, VALID, create, created, report


@pytest.fixture(autouse=True)
async def serving_partner(partner_auth: dict[str, str]) -> dict[str, str]:
    """Every shipment here goes to a zip a partner serves."""
    return partner_auth


async def _count_shipments(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(Shipment)) or 0


async def _workflow_ids(temporal: Client, query: str) -> list[str]:
    return [execution.id async for execution in temporal.list_workflows(query)]


async def test_created_shipment_is_assigned_and_readable_by_its_owner(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    response = await create(api, seller_auth)

    assert response.status_code == 201
    shipment = response.json()
    assert response.headers["location"] == f"{SHIPMENT}/{shipment['id']}"
    assert shipment["status"] == "placed"
    assert shipment["weight"] == 1.2
    assert shipment["tags"] == ["fragile", "gift"]
    partner = (await api.get("/api/v1/partner/me", headers=partner_auth)).json()
    assert shipment["partner"] == {"id": partner["id"], "name": "Swift Couriers"}
    assert len(shipment["tracking_code"]) >= 22  # at least 128 random bits, base64url
    created_at = datetime.fromisoformat(shipment["created_at"])
    estimate = datetime.fromisoformat(shipment["estimated_delivery"])
    assert estimate - created_at == timedelta(days=3)

    me = (await api.get("/api/v1/seller/me", headers=seller_auth)).json()
    assignment, placed = shipment["timeline"]  # stored by the workflow before the 201
    assert placed == placed | {"sequence": 1, "status": "placed", "actor": f"seller:{me['id']}"}
    assert assignment["sequence"] == 2
    assert assignment["description"] == "Assigned to delivery partner Swift Couriers"

    read = await api.get(response.headers["location"], headers=seller_auth)
    assert read.status_code == 200
    assert read.json() == shipment


async def test_tracking_codes_differ(api: httpx.AsyncClient, seller_auth: dict[str, str]) -> None:
    first = await created(api, seller_auth)
    second = await created(api, seller_auth)
    assert first["id"] != second["id"]
    assert first["tracking_code"] != second["tracking_code"]


async def test_operators_find_the_shipment_workflow_by_its_search_attributes(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    temporal: Client,
) -> None:
    shipment = await created(api, seller_auth)
    seller_id = (await api.get("/api/v1/seller/me", headers=seller_auth)).json()["id"]
    partner_id = (await api.get("/api/v1/partner/me", headers=partner_auth)).json()["id"]

    query = (
        f'ShipmentStatus="placed" AND SellerId="{seller_id}" AND DestinationZip="10001" '
        f'AND PartnerId="{partner_id}"'
    )
    found = await eventually(lambda: _workflow_ids(temporal, query), lambda ids: len(ids) == 1)
    assert found == [f"shipment-{shipment['id']}"]

    description = await temporal.get_workflow_handle(found[0]).describe()
    assert description.typed_search_attributes.get(SearchAttributes.NEEDS_ATTENTION) is False
    summary = await description.static_summary()
    assert summary is not None
    assert "10001" in summary
    assert "1.2" in summary
    assert "ana@example.com" not in summary
    assert "+14155550123" not in summary
    handle = temporal.get_workflow_handle(found[0])
    metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    assert "placed" in metadata.current_details
    assert partner_id in metadata.current_details


async def test_a_zip_no_partner_serves_is_refused_and_nothing_is_left(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    sessions: async_sessionmaker[AsyncSession],
    temporal: Client,
) -> None:
    response = await create(api, seller_auth, VALID | {"destination_zip": "99999"}, key="k-99999")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "No delivery partner serves zip 99999"
    assert await _count_shipments(sessions) == 0
    assert await _workflow_ids(temporal, 'ExecutionStatus="Running"') == []


async def test_a_refused_key_works_once_a_partner_serves_the_zip(
    api: httpx.AsyncClient, seller_auth: dict[str, str], sign_up_partner: SignUp
) -> None:
    body = VALID | {"destination_zip": "60601"}
    assert (await create(api, seller_auth, body, key="chicago-1")).status_code == 422

    await sign_up_partner(["60601"])
    response = await create(api, seller_auth, body, key="chicago-1")

    assert response.status_code == 201
    assert response.json()["partner"] is not None


async def test_another_sellers_shipment_is_not_found(
    api: httpx.AsyncClient, seller_auth: dict[str, str], sign_up_seller: SignUp
) -> None:
    location = (await create(api, seller_auth)).headers["location"]
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


async def test_creating_needs_a_seller_token(
    api: httpx.AsyncClient, partner_auth: dict[str, str]
) -> None:
    assert (await api.post(SHIPMENT, json=VALID)).status_code == 401
    assert (await api.post(SHIPMENT, json=VALID, headers=partner_auth)).status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weight": 0}, "body.weight"),
        ({"weight": 0.0004}, "body.weight"),
        ({"weight": 25.001}, "body.weight"),
        ({"weight": "heavy"}, "body.weight"),
        ({"weight": "1.2"}, "body.weight"),
        ({"weight": True}, "body.weight"),
        ({"content": ""}, "body.content"),
        ({"content": "x" * 501}, "body.content"),
        ({"content": "books\x00"}, "body.content"),
        ({"content": "books\x1b[31m"}, "body.content"),
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
    response = await create(api, seller_auth, VALID | change)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith(f"{field}: ")
    assert await _count_shipments(sessions) == 0


async def test_boundary_values_are_accepted(
    api: httpx.AsyncClient, seller_auth: dict[str, str]
) -> None:
    body = VALID | {"weight": 25, "content": "x" * 500, "destination_zip": "sw1a1aa"}
    response = await create(api, seller_auth, body)
    assert response.status_code == 201
    assert response.json()["destination_zip"] == "SW1A1AA"


@pytest.mark.parametrize(
    ("sent", "stored"), [(0.30000000000000004, 0.3), (1.23456, 1.235), (0.0005, 0.001)]
)
async def test_weights_of_any_precision_are_stored_to_the_gram(
    api: httpx.AsyncClient, seller_auth: dict[str, str], sent: float, stored: float
) -> None:
    shipment = await created(api, seller_auth, VALID | {"weight": sent})
    assert shipment["weight"] == stored


async def test_the_weight_is_documented_as_a_number(api: httpx.AsyncClient) -> None:
    schema = (await api.get("/api/v1/openapi.json")).json()["components"]["schemas"]
    weight = schema["ShipmentCreate"]["properties"]["weight"]
    assert weight["type"] == "number"
    assert weight["exclusiveMinimum"] == 0
    assert weight["maximum"] == 25


async def test_replaying_an_idempotency_key_returns_the_first_shipment(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    sessions: async_sessionmaker[AsyncSession],
    temporal: Client,
) -> None:
    first = await create(api, seller_auth, key="order-1001")
    reordered = VALID | {"tags": ["gift", "fragile"], "weight": 1.2000001}
    again = await create(api, seller_auth, reordered, key="order-1001")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert await _count_shipments(sessions) == 1
    workflows = await _workflow_ids(temporal, f'WorkflowId="shipment-{first.json()["id"]}"')
    assert len(workflows) == 1


async def test_twenty_concurrent_creates_with_one_key_make_one_shipment(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    sessions: async_sessionmaker[AsyncSession],
    temporal: Client,
) -> None:
    responses = await asyncio.gather(
        *(create(api, seller_auth, key="order-race") for _ in range(20))
    )

    assert {response.status_code for response in responses} == {201}
    assert len({response.json()["id"] for response in responses}) == 1
    assert await _count_shipments(sessions) == 1
    seller_id = (await api.get("/api/v1/seller/me", headers=seller_auth)).json()["id"]
    workflows = await eventually(
        lambda: _workflow_ids(temporal, f'SellerId="{seller_id}"'), lambda ids: len(ids) >= 1
    )
    assert len(workflows) == 1


async def test_replaying_a_key_after_the_workflow_closed_returns_the_shipment(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    first = (await create(api, seller_auth, key="order-1004")).json()
    cancelled = await api.post(f"{SHIPMENT}/{first['id']}/cancel", headers=seller_auth)
    assert cancelled.status_code == 200

    again = await create(api, seller_auth, key="order-1004")

    assert again.status_code == 201
    assert again.json()["id"] == first["id"]
    assert again.json()["status"] == "cancelled"
    other_body = await create(api, seller_auth, VALID | {"weight": 3}, key="order-1004")
    assert other_body.status_code == 422


async def test_an_idempotency_key_reused_for_another_request_is_refused(
    api: httpx.AsyncClient, seller_auth: dict[str, str], sessions: async_sessionmaker[AsyncSession]
) -> None:
    await create(api, seller_auth, key="order-1002")

    response = await create(api, seller_auth, VALID | {"weight": 2}, key="order-1002")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key" in response.json()["detail"]
    assert await _count_shipments(sessions) == 1


@pytest.mark.parametrize("key", ["", " ", "with space", "é", "x" * 256, "tab\tkey"])
async def test_malformed_idempotency_keys_are_refused(
    api: httpx.AsyncClient, seller_auth: dict[str, str], key: str
) -> None:
    response = await api.post(
        SHIPMENT,
        json=VALID,
        headers=[(name.encode(), value.encode()) for name, value in seller_auth.items()]
        + [(b"Idempotency-Key", key.encode())],
    )
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]


async def test_idempotency_keys_belong_to_one_seller(
    api: httpx.AsyncClient, seller_auth: dict[str, str], sign_up_seller: SignUp
) -> None:
    mine = await create(api, seller_auth, key="order-1003")
    theirs = await create(api, await sign_up_seller(), key="order-1003")
    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]


async def test_with_temporal_unreachable_the_create_answers_503_and_stores_nothing(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], seller_auth: dict[str, str]
) -> None:
    unreachable = settings.model_copy(
        update={
            "temporal_address": f"127.0.0.1:{free_port()}",
            "workflow_command_timeout": timedelta(seconds=2),
        }
    )
    async with serve_api(unreachable) as api:
        response = await create(api, seller_auth, key="order-offline")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "retry with the same Idempotency-Key" in response.json()["detail"]
    assert await _count_shipments(sessions) == 0


async def test_a_create_waiting_for_temporal_holds_no_database_connection(
    own_temporal: Settings, seller_auth: dict[str, str]
) -> None:
    """A command waits on Temporal for up to its timeout: a connection held meanwhile would
    leave the pool empty under load. (No worker polls this Temporal: the create waits it out.)"""
    patient = own_temporal.model_copy(update={"workflow_command_timeout": timedelta(seconds=2)})
    async with serve_app(patient) as (app, api):
        pool = app.state.resources.engine.pool
        waiting = asyncio.create_task(create(api, seller_auth, key="order-waiting"))
        await asyncio.sleep(1)  # the seller is loaded; the create waits for its workflow
        assert not waiting.done()
        held = pool.checkedout()
        response = await waiting

    assert response.status_code == 503
    assert held == 0


async def test_a_report_waiting_for_temporal_holds_no_database_connection(
    api: httpx.AsyncClient,
    own_temporal: Settings,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
) -> None:
    """The report's checks read the shipment and its changes; their connection goes back to the
    pool before the Update is sent. (On this Temporal the shipment's workflow has no worker.)"""
    shipment = await created(api, seller_auth)
    waiting_workflow = await connect_temporal(own_temporal)
    await waiting_workflow.start_workflow(
        "ShipmentWorkflow",
        id=shipment_workflow_id(uuid.UUID(shipment["id"])),
        task_queue=TASK_QUEUE,
    )
    patient = own_temporal.model_copy(update={"workflow_command_timeout": timedelta(seconds=2)})
    async with serve_app(patient) as (app, other_api):
        pool = app.state.resources.engine.pool
        scan = {"location_zip": "10001"}
        waiting = asyncio.create_task(report(other_api, partner_auth, shipment["id"], **scan))
        await asyncio.sleep(1)  # checked; the Update waits for the workflow
        assert not waiting.done()
        held = pool.checkedout()
        response = await waiting

    assert response.status_code == 503
    assert held == 0


async def test_a_create_abandoned_mid_flight_leaves_no_orphan_and_its_key_still_answers(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    sessions: async_sessionmaker[AsyncSession],
    temporal: Client,
) -> None:
    abandoned = asyncio.create_task(create(api, seller_auth, key="order-crash"))
    await asyncio.sleep(0.05)
    abandoned.cancel()  # the client, or the API process serving it, went away

    again = await create(api, seller_auth, key="order-crash")

    assert again.status_code == 201
    assert await _count_shipments(sessions) == 1
    workflow = await temporal.get_workflow_handle(f"shipment-{again.json()['id']}").describe()
    assert workflow.status is not None
    assert workflow.status.name == "RUNNING"


async def test_with_temporal_unreachable_a_replayed_create_answers_with_what_is_stored(
    api: httpx.AsyncClient, settings: Settings, seller_auth: dict[str, str]
) -> None:
    first = await create(api, seller_auth, key="order-stored")
    unreachable = settings.model_copy(
        update={
            "temporal_address": f"127.0.0.1:{free_port()}",
            "workflow_command_timeout": timedelta(seconds=2),
        }
    )
    async with serve_api(unreachable) as offline:
        again = await create(offline, seller_auth, key="order-stored")

    assert again.status_code == 201
    assert again.json() == first.json()


@pytest.mark.parametrize(
    "failure",
    [
        WorkflowUpdateRPCTimeoutOrCancelledError(),
        WorkflowUpdateFailedError(CancelledError("the update was cancelled")),
    ],
    ids=["rpc timed out", "failed without a refusal"],
)
async def test_a_command_temporal_cannot_confirm_is_a_503_not_a_500(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    temporal: Client,
    failure: Exception,
) -> None:
    """Found under load: an Update whose RPC timed out answered 500."""

    async def send(handle: WorkflowHandle[Any, Any]) -> None:
        raise failure

    async with sessions() as session:
        with pytest.raises(ServiceUnavailable):
            await command(session, temporal, settings, uuid.uuid4(), send)
