"""A shipment's life through HTTP: transitions, scans, failed attempts, cancellation, tracking and
reviews, with the workflow on a real worker and the messages read from the outbox."""

import asyncio
from typing import Any

import httpx
import pytest
from temporalio.client import Client

from tests.accounts import SignUp
from tests.helpers import eventually
from tests.shipments import (
    SHIPMENT,
    created,
    deliver,
    delivery_code,
    out_for_delivery,
    outbox,
    report,
    reported,
    review_token,
    sent,
)

STATUSES = ["placed", "in_transit", "out_for_delivery", "delivered", "cancelled"]


async def shipment_in(
    api: httpx.AsyncClient, seller: dict[str, str], partner: dict[str, str], status: str
) -> str:
    shipment_id: str = (await created(api, seller))["id"]
    if status == "cancelled":
        response = await api.post(f"{SHIPMENT}/{shipment_id}/cancel", headers=seller)
        assert response.status_code == 200, response.text
    if status in ("in_transit", "out_for_delivery"):
        await reported(api, partner, shipment_id, status="in_transit")
    if status == "out_for_delivery":
        await reported(api, partner, shipment_id, status="out_for_delivery")
    if status == "delivered":
        await deliver(api, partner, shipment_id)
    return shipment_id


async def test_a_shipment_lives_its_whole_life(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    temporal: Client,
) -> None:
    shipment = await created(api, seller_auth)
    shipment_id = shipment["id"]
    [shipped] = await sent(api, shipment_id, "shipped")
    assert shipped["recipient"] == "ana@example.com"
    assert shipped["subject"] == "Your order has shipped"
    assert f"/track/{shipment['tracking_code']}" in shipped["body"]  # the web app's page
    assert "/api/v1/" not in shipped["body"]

    picked_up = await reported(
        api, partner_auth, shipment_id, status="in_transit", description="Picked up"
    )
    assert picked_up["status"] == "in_transit"
    scanned = await reported(
        api, partner_auth, shipment_id, location_zip="07030", description="Hoboken hub"
    )
    assert scanned["status"] == "in_transit"
    assert scanned["timeline"][0] | {"occurred_at": None} == {
        "sequence": 4,
        "status": "in_transit",
        "location_zip": "07030",
        "description": "Hoboken hub",
        "actor": scanned["timeline"][1]["actor"],
        "occurred_at": None,
    }
    await reported(api, partner_auth, shipment_id, status="out_for_delivery")
    code = await delivery_code(api, shipment_id)

    async def texts() -> list[dict[str, str]]:
        return [
            message for message in await outbox(api, shipment_id) if message["channel"] == "sms"
        ]

    sms = await eventually(texts, bool)
    assert [message["recipient"] for message in sms] == ["+14155550123"]
    assert code in sms[0]["body"]

    delivered = await reported(
        api, partner_auth, shipment_id, status="delivered", verification_code=code
    )
    assert delivered["status"] == "delivered"
    assert [event["sequence"] for event in delivered["timeline"]] == [6, 5, 4, 3, 2, 1]

    tracking = await api.get(f"/api/v1/track/{shipment['tracking_code']}")
    assert tracking.status_code == 200
    assert tracking.json()["status"] == "delivered"
    assert tracking.json()["partner_name"] == "Swift Couriers"
    assert len(tracking.json()["timeline"]) == 6
    for private in ("ana@example.com", "+14155550123", code, shipment_id):
        assert private not in tracking.text

    token = await review_token(api, shipment_id)
    form = await api.get(f"/api/v1/review/{token}")
    assert form.status_code == 200
    assert form.json() | {"review": None} == form.json()
    review = await api.post(
        f"/api/v1/review/{token}", json={"rating": 5, "comment": "Quick\nand careful"}
    )
    assert review.status_code == 201
    assert review.json()["rating"] == 5
    again = await api.post(f"/api/v1/review/{token}", json={"rating": 1})
    assert again.status_code == 409
    assert (await api.get(f"/api/v1/review/{token}")).json()["review"]["rating"] == 5

    # Reviewed: the workflow has nothing left to wait for and completes.
    handle = temporal.get_workflow_handle(f"shipment-{shipment_id}")
    assert await asyncio.wait_for(handle.result(), 10) == "delivered"


ALLOWED = {
    ("placed", "in_transit"),
    ("in_transit", "out_for_delivery"),
    ("out_for_delivery", "delivered"),
    ("out_for_delivery", "in_transit"),
}


@pytest.mark.parametrize("target", STATUSES)
@pytest.mark.parametrize("current", STATUSES)
async def test_partners_move_shipments_only_along_the_graph(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    current: str,
    target: str,
) -> None:
    shipment_id = await shipment_in(api, seller_auth, partner_auth, current)
    event: dict[str, Any] = {"status": target, "description": "Nobody home"}
    if target == "delivered":
        event["verification_code"] = (
            await delivery_code(api, shipment_id) if current == "out_for_delivery" else "000000"
        )

    response = await report(api, partner_auth, shipment_id, **event)

    if (current, target) in ALLOWED:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == target
    else:
        assert response.status_code == 409, response.text
        assert response.headers["content-type"] == "application/problem+json"
        shipment = await api.get(f"{SHIPMENT}/{shipment_id}", headers=seller_auth)
        assert shipment.json()["status"] == current


@pytest.mark.parametrize("current", STATUSES)
async def test_sellers_cancel_only_placed_or_in_transit_shipments(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    current: str,
) -> None:
    shipment_id = await shipment_in(api, seller_auth, partner_auth, current)

    response = await api.post(f"{SHIPMENT}/{shipment_id}/cancel", headers=seller_auth)

    if current in ("placed", "in_transit"):
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "cancelled"
        recipients = {message["recipient"] for message in await outbox(api, shipment_id)}
        partner = (await api.get("/api/v1/partner/me", headers=partner_auth)).json()
        assert {"ana@example.com", partner["email"]} <= recipients
    else:
        assert response.status_code == 409, response.text
        if current == "cancelled":
            assert response.json()["detail"] == "The shipment is already cancelled"


async def test_location_scans_are_accepted_only_in_transit(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    shipment_id = (await created(api, seller_auth))["id"]
    early = await report(api, partner_auth, shipment_id, location_zip="07030")
    assert early.status_code == 409
    assert "Location scans" in early.json()["detail"]

    await reported(api, partner_auth, shipment_id, status="in_transit")
    scans = await asyncio.gather(
        *(report(api, partner_auth, shipment_id, location_zip=f"0703{n}") for n in range(5))
    )
    assert {scan.status_code for scan in scans} == {200}
    timeline = (await api.get(f"{SHIPMENT}/{shipment_id}/timeline", headers=seller_auth)).json()
    # Concurrent updates were serialized by the workflow: one event each, numbered in order.
    assert [event["sequence"] for event in timeline] == list(range(8, 0, -1))
    assert {event["location_zip"] for event in timeline[:5]} == {f"0703{n}" for n in range(5)}


async def test_an_empty_report_is_refused(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    shipment_id = (await created(api, seller_auth))["id"]
    response = await report(api, partner_auth, shipment_id, description="just words")
    assert response.status_code == 422


async def test_a_failed_attempt_needs_a_reason_and_voids_the_code(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    shipment_id = (await created(api, seller_auth))["id"]
    await out_for_delivery(api, partner_auth, shipment_id)
    first_code = await delivery_code(api, shipment_id)

    no_reason = await report(api, partner_auth, shipment_id, status="in_transit")
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json()["detail"]

    await reported(api, partner_auth, shipment_id, status="in_transit", description="Nobody home")
    voided = await report(
        api, partner_auth, shipment_id, status="delivered", verification_code=first_code
    )
    assert voided.status_code == 409

    await reported(api, partner_auth, shipment_id, status="out_for_delivery")
    second_code = await delivery_code(api, shipment_id, count=2)
    delivered = await reported(
        api, partner_auth, shipment_id, status="delivered", verification_code=second_code
    )
    assert delivered["status"] == "delivered"
    statuses = [event["status"] for event in delivered["timeline"]]
    assert statuses[:5] == [
        "delivered",
        "out_for_delivery",
        "in_transit",
        "out_for_delivery",
        "in_transit",
    ]


async def test_an_unknown_tracking_code_is_not_found(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/v1/track/no-such-code")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("token", ["not-a-token", "a.b.c"])
async def test_a_forged_review_link_is_refused(api: httpx.AsyncClient, token: str) -> None:
    assert (await api.get(f"/api/v1/review/{token}")).status_code == 404
    assert (await api.post(f"/api/v1/review/{token}", json={"rating": 5})).status_code == 404


@pytest.mark.parametrize(
    "body", [{"rating": 0}, {"rating": 6}, {"rating": "5"}, {"rating": 4, "comment": "x" * 1001}]
)
async def test_an_invalid_review_is_refused(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    body: dict[str, Any],
) -> None:
    shipment_id = await shipment_in(api, seller_auth, partner_auth, "delivered")
    token = await review_token(api, shipment_id)
    response = await api.post(f"/api/v1/review/{token}", json=body)
    assert response.status_code == 422


async def test_another_partner_cannot_report_on_a_shipment(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    sign_up_partner: SignUp,
) -> None:
    shipment_id = (await created(api, seller_auth))["id"]
    other = await sign_up_partner(["10001"])
    response = await report(api, other, shipment_id, status="in_transit")
    assert response.status_code == 404
    assert "Two hardcover books" not in response.text
