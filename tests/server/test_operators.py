"""Operators: made by `fastship create-operator` only, they log in and read every shipment through
Temporal visibility with whitelisted filters; they change nothing, and the sellers' and partners'
routes are not theirs."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from fastship.settings import Settings
from tests.accounts import PASSWORD, create_operator
from tests.helpers import eventually, serve_api
from tests.shipments import SHIPMENT, created, delivery_code, reported

OPERATOR = "/api/v1/operator"


@pytest.fixture
async def operator_auth(api: httpx.AsyncClient, settings: Settings) -> dict[str, str]:
    email = f"ops-{uuid.uuid4().hex[:8]}@example.com"
    code, output = await create_operator(settings.database_url, email)
    assert code == 0, output
    assert f"Operator {email} created" in output
    login = await api.post(f"{OPERATOR}/token", data={"username": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_the_command_refuses_a_taken_email_and_a_weak_password(
    settings: Settings, operator_auth: dict[str, str]
) -> None:
    email = f"ops-{uuid.uuid4().hex[:8]}@example.com"
    assert (await create_operator(settings.database_url, email))[0] == 0
    code, output = await create_operator(settings.database_url, email.upper())
    assert (code, output.strip()) == (1, "An operator with this email already exists")
    code, output = await create_operator(settings.database_url, f"x{email}", password="password")
    assert code == 2
    assert "password: Value error, This password is too common" in output


async def test_no_signup_makes_an_operator(api: httpx.AsyncClient) -> None:
    account = {"name": "Mallory", "email": "mallory@example.com", "password": PASSWORD}
    assert (await api.post(f"{OPERATOR}/signup", json=account)).status_code in (404, 405)


async def _seller_id(api: httpx.AsyncClient, auth: dict[str, str]) -> str:
    return str((await api.get("/api/v1/seller/me", headers=auth)).json()["id"])


async def _search(
    api: httpx.AsyncClient, auth: dict[str, str], **filters: Any
) -> list[dict[str, Any]]:
    response = await api.get(f"{OPERATOR}/shipments", params=filters, headers=auth)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_operators_find_shipments_by_status_partner_zip_flag_and_time(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    operator_auth: dict[str, str],
) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    moving = await created(api, seller_auth)
    lamp = {"content": "Lamp", "weight": 2, "destination_zip": "SW1A1AA"}
    waiting = await created(api, seller_auth, lamp | {"client_contact_email": "ana@example.com"})
    await reported(api, partner_auth, moving["id"], status="in_transit")
    seller_id = await _seller_id(api, seller_auth)
    mine = {"seller_id": seller_id}

    async def in_transit() -> list[dict[str, Any]]:
        return await _search(api, operator_auth, **mine, status="in_transit")

    [found] = await eventually(in_transit, lambda items: len(items) == 1)
    assert found["shipment_id"] == moving["id"]
    assert found["workflow_id"] == f"shipment-{moving['id']}"
    assert found["workflow_status"] == "RUNNING"
    assert found["partner_id"] == moving["partner"]["id"]
    assert (found["destination_zip"], found["needs_attention"]) == ("10001", False)
    assert found["closed_at"] is None

    def ids(items: list[dict[str, Any]]) -> set[str]:
        return {item["shipment_id"] for item in items}

    both = {moving["id"], waiting["id"]}
    assert ids(await _search(api, operator_auth, **mine)) == both
    statuses = {"status": ["placed", "in_transit"]}
    assert ids(await _search(api, operator_auth, **mine, **statuses)) == both
    assert ids(await _search(api, operator_auth, **mine, destination_zip="sw1a1aa")) == {
        waiting["id"]
    }
    partner = {"partner_id": moving["partner"]["id"]}
    assert moving["id"] in ids(await _search(api, operator_auth, **partner))
    assert ids(await _search(api, operator_auth, **mine, needs_attention="true")) == set()
    assert ids(await _search(api, operator_auth, **mine, needs_attention="false")) == both
    assert ids(await _search(api, operator_auth, **mine, started_after=before.isoformat())) == both
    assert await _search(api, operator_auth, **mine, started_before=before.isoformat()) == []
    closed = {"closed_after": before.isoformat()}  # both still run
    assert await _search(api, operator_auth, **mine, **closed) == []


async def test_needing_attention_is_flagged_and_not_yet_delivered_or_cancelled(
    settings: Settings,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    operator_auth: dict[str, str],
) -> None:
    late = settings.model_copy(update={"delivery_estimate": timedelta(seconds=2)})
    async with serve_api(late) as api:
        shipment = await created(api, seller_auth)
        await reported(api, partner_auth, shipment["id"], status="in_transit")
        mine = {"seller_id": await _seller_id(api, seller_auth)}

        async def flagged() -> list[dict[str, Any]]:
            return await _search(api, operator_auth, **mine, needs_attention="true")

        [found] = await eventually(flagged, bool, within=20)  # the estimate passed
        assert (found["shipment_id"], found["needs_attention"]) == (shipment["id"], True)
        await reported(api, partner_auth, shipment["id"], status="out_for_delivery")
        code = await delivery_code(api, shipment["id"])
        delivery = {"status": "delivered", "verification_code": code}
        await reported(api, partner_auth, shipment["id"], **delivery)

        async def unflagged() -> list[dict[str, Any]]:
            return await _search(api, operator_auth, **mine, needs_attention="false")

        [delivered] = await eventually(unflagged, bool)
        assert (delivered["status"], delivered["needs_attention"]) == ("delivered", True)
        assert await flagged() == []


async def test_the_pages_follow_each_other_without_repeats(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    operator_auth: dict[str, str],
) -> None:
    made = {(await created(api, seller_auth))["id"] for _ in range(3)}
    mine = {"seller_id": await _seller_id(api, seller_auth)}
    await eventually(lambda: _search(api, operator_auth, **mine), lambda items: len(items) == 3)
    seen: list[str] = []
    url: str | None = f"{OPERATOR}/shipments"
    params: dict[str, Any] | None = mine | {"limit": 2}
    cursors = []
    while url is not None:
        page = (await api.get(url, params=params, headers=operator_auth)).json()
        seen += [item["shipment_id"] for item in page["items"]]
        url, params = page["next"], None
        cursors.append(page["next_cursor"])
    assert sorted(seen) == sorted(made)
    # A cursor goes on with the filters it was given for, and no others.
    other = mine | {"status": "in_transit", "cursor": cursors[0]}
    response = await api.get(f"{OPERATOR}/shipments", params=other, headers=operator_auth)
    assert response.status_code == 422
    assert "not one this API gave out for these filters" in response.json()["detail"]


async def test_bad_filters_and_cursors_are_422_with_the_field_named(
    api: httpx.AsyncClient, operator_auth: dict[str, str]
) -> None:
    for params, field in (
        ({"status": "lost"}, "status"),
        ({"partner_id": "' OR 1=1"}, "partner_id"),
        ({"destination_zip": "10001' OR ShipmentStatus!='x"}, "destination_zip"),
        ({"started_after": "yesterday"}, "started_after"),
        ({"started_after": "2026-12-01T00:00:00"}, "started_after"),  # no time zone
        ({"cursor": "not-a-cursor"}, "cursor"),
    ):
        response = await api.get(f"{OPERATOR}/shipments", params=params, headers=operator_auth)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert field in response.text, response.text


async def test_each_role_keeps_to_its_routes(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    operator_auth: dict[str, str],
) -> None:
    shipment = await created(api, seller_auth)
    refused = await api.get(f"{OPERATOR}/shipments", headers=seller_auth)
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "This route is for operators; the token belongs to a seller"
    )
    for method, path in (
        ("GET", "/api/v1/seller/shipments"),
        ("GET", f"{SHIPMENT}/{shipment['id']}"),
        ("GET", f"{SHIPMENT}/{shipment['id']}/events/stream"),
        ("POST", f"{SHIPMENT}/{shipment['id']}/cancel"),
        ("GET", "/api/v1/partner/events"),
    ):
        response = await api.request(method, path, headers=operator_auth)
        assert response.status_code == 403, (path, response.text)
        assert "the token belongs to an operator" in response.json()["detail"]


async def test_an_operator_who_logs_out_is_out(
    api: httpx.AsyncClient, operator_auth: dict[str, str]
) -> None:
    assert (await api.post(f"{OPERATOR}/logout", headers=operator_auth)).status_code == 204
    response = await api.get(f"{OPERATOR}/shipments", headers=operator_auth)
    assert response.status_code == 401
