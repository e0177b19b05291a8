"""The workflow's durable timers, with durations shortened through the settings."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from temporalio.client import Client

from fastship.settings import Settings
from models.domain import SearchAttributes
from tests.accounts import SignUp
from tests.helpers import eventually, serve_api
from tests.shipments import SHIPMENT, created, deliver, outbox, reported, review_token, sent

SECOND = timedelta(seconds=1)


QUICK = {
    "assignment_deadline": 3 * SECOND,
    "assignment_retry": SECOND,
    "pickup_deadline": 3 * SECOND,
    "delivery_estimate": 2 * SECOND,
    "review_reminder": SECOND,
    "review_window": 3 * SECOND,
}


@pytest.fixture
async def quick(
    request: pytest.FixtureRequest, settings: Settings, worker: None
) -> AsyncIterator[httpx.AsyncClient]:
    """The API, starting shipments whose deadlines are seconds long (a test may keep some long)."""
    kept_long = getattr(request, "param", ())
    durations = {name: timedelta(days=1) if name in kept_long else d for name, d in QUICK.items()}
    async with serve_api(settings.model_copy(update=durations)) as client:
        yield client


async def _read(api: httpx.AsyncClient, auth: dict[str, str], shipment_id: str) -> Any:
    return (await api.get(f"{SHIPMENT}/{shipment_id}", headers=auth)).json()


@pytest.mark.parametrize("quick", [("delivery_estimate",)], indirect=True)
async def test_a_missed_pickup_reassigns_and_two_flag_the_shipment(
    quick: httpx.AsyncClient, seller_auth: dict[str, str], sign_up_partner: SignUp, temporal: Client
) -> None:
    await sign_up_partner(["10001"], name="First")
    await sign_up_partner(["10001"], name="Second")
    shipment = await created(quick, seller_auth)
    first = shipment["partner"]

    reassigned = await eventually(
        lambda: _read(quick, seller_auth, shipment["id"]),
        lambda read: read["partner"] != first,
    )
    assert reassigned["timeline"][0]["description"] == "Assigned to delivery partner Second"
    assert not reassigned["needs_attention"]
    await sent(quick, shipment["id"], "partner_unassigned")
    templates = {message["template"] for message in await outbox(quick, shipment["id"])}
    assert {"partner_unassigned", "partner_assigned"} <= templates

    flagged = await eventually(
        lambda: _read(quick, seller_auth, shipment["id"]),
        lambda read: read["needs_attention"],
        within=20,
    )
    assert flagged["partner"] == first
    # The flag is stored by its step, then the workflow task that ran it upserts the attribute.
    handle = temporal.get_workflow_handle(f"shipment-{shipment['id']}")
    await eventually(
        lambda: handle.describe(),
        lambda described: (
            described.typed_search_attributes.get(SearchAttributes.NEEDS_ATTENTION) is True
        ),
    )
    # The dashboards' "needs attention" card and filter find it.
    listed = await quick.get(
        "/api/v1/seller/shipments", params={"needs_attention": "true"}, headers=seller_auth
    )
    assert [item["id"] for item in listed.json()["items"]] == [shipment["id"]]
    counts = await quick.get("/api/v1/seller/shipments/counts", headers=seller_auth)
    assert counts.json()["needs_attention"] == 1


@pytest.mark.parametrize("quick", [("delivery_estimate",)], indirect=True)
async def test_a_pickup_in_time_keeps_the_partner(
    quick: httpx.AsyncClient, seller_auth: dict[str, str], sign_up_partner: SignUp
) -> None:
    first = await sign_up_partner(["10001"], name="First")
    await sign_up_partner(["10001"], name="Second")
    shipment = await created(quick, seller_auth)
    mine = first if shipment["partner"]["name"] == "First" else None
    assert mine is not None
    await reported(quick, mine, shipment["id"], status="in_transit")

    await asyncio.sleep(4)

    assert (await _read(quick, seller_auth, shipment["id"]))["partner"] == shipment["partner"]


async def test_no_partner_by_the_assignment_deadline_cancels_and_tells_everyone(
    quick: httpx.AsyncClient, seller_auth: dict[str, str], sign_up_partner: SignUp
) -> None:
    await sign_up_partner(["10001"], capacity=1)
    await created(quick, seller_auth)
    waiting = await created(quick, seller_auth)
    assert waiting["partner"] is None

    cancelled = await eventually(
        lambda: _read(quick, seller_auth, waiting["id"]),
        lambda read: read["status"] == "cancelled",
    )
    assert cancelled["timeline"][0]["actor"] == "system"
    seller = (await quick.get("/api/v1/seller/me", headers=seller_auth)).json()
    await sent(quick, waiting["id"], "seller_cancelled")
    await sent(quick, waiting["id"], "cancelled")
    told = {
        (message["template"], message["recipient"])
        for message in await outbox(quick, waiting["id"])
    }
    assert {("cancelled", "ana@example.com"), ("seller_cancelled", seller["email"])} <= told
    assert {recipient for _, recipient in told} == {"ana@example.com", seller["email"]}


async def test_a_passed_estimate_tells_the_recipient_once_and_flags_the_shipment(
    quick: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    shipment = await created(quick, seller_auth)
    await reported(quick, partner_auth, shipment["id"], status="in_transit")

    flagged = await eventually(
        lambda: _read(quick, seller_auth, shipment["id"]), lambda read: read["needs_attention"]
    )
    assert flagged["status"] == "in_transit"
    [delayed] = await sent(quick, shipment["id"], "delayed")
    assert delayed["recipient"] == "ana@example.com"
    assert delayed["subject"] == "Your parcel is running late"
    await asyncio.sleep(1)
    assert len(await sent(quick, shipment["id"], "delayed")) == 1


async def test_an_unreviewed_delivery_gets_one_reminder_then_the_window_closes(
    quick: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    temporal: Client,
) -> None:
    shipment = await created(quick, seller_auth)
    await deliver(quick, partner_auth, shipment["id"])

    async def reminders() -> list[Any]:
        messages = await outbox(quick, shipment["id"])
        return [message for message in messages if message["template"] == "review_reminder"]

    [reminder] = await eventually(reminders, lambda found: len(found) == 1)
    assert "/review/" in reminder["body"]
    handle = temporal.get_workflow_handle(f"shipment-{shipment['id']}")
    assert await asyncio.wait_for(handle.result(), 10) == "delivered"
    token = await review_token(quick, shipment["id"], "review_reminder")
    late = await quick.post(f"/api/v1/review/{token}", json={"rating": 4})
    assert late.status_code == 409
