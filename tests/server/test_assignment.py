"""Assigning partners: least loaded first, never past capacity, and promptly when room frees."""

import asyncio
from typing import Any

import httpx

from fastship.settings import Settings
from tests.accounts import SignUp, new_partner
from tests.helpers import eventually
from tests.shipments import SHIPMENT, VALID, create, created, deliver


async def _partner_id(api: httpx.AsyncClient, auth: dict[str, str]) -> str:
    partner_id: str = (await api.get("/api/v1/partner/me", headers=auth)).json()["id"]
    return partner_id


async def _shipment(api: httpx.AsyncClient, auth: dict[str, str], shipment_id: str) -> Any:
    return (await api.get(f"{SHIPMENT}/{shipment_id}", headers=auth)).json()


async def test_fifty_concurrent_creates_fill_a_partner_exactly_to_capacity(
    api: httpx.AsyncClient, seller_auth: dict[str, str], sign_up_partner: SignUp
) -> None:
    partner = await sign_up_partner(["10001"], capacity=3)

    responses = await asyncio.gather(*(create(api, seller_auth) for _ in range(50)))

    assert {response.status_code for response in responses} == {201}
    assigned = [response.json() for response in responses if response.json()["partner"]]
    assert len(assigned) == 3
    listed = await api.get("/api/v1/partner/shipments", params={"limit": 100}, headers=partner)
    assert len(listed.json()["items"]) == 3


async def test_the_least_loaded_partner_gets_the_shipment_ties_by_earliest_signup(
    api: httpx.AsyncClient, seller_auth: dict[str, str], sign_up_partner: SignUp
) -> None:
    early = await _partner_id(api, await sign_up_partner(["10001"], capacity=2, name="Early"))
    late = await _partner_id(api, await sign_up_partner(["10001"], capacity=4, name="Late"))

    # 0/2 vs 0/4: a tie, Early signed up first; 1/2 vs 0/4: Late; 1/2 vs 1/4: Late;
    # 1/2 vs 2/4: a tie again, so Early.
    order = [(await created(api, seller_auth))["partner"]["id"] for _ in range(4)]

    assert order == [early, late, late, early]


async def test_a_waiting_shipment_is_assigned_when_a_delivery_frees_capacity(
    api: httpx.AsyncClient, seller_auth: dict[str, str], sign_up_partner: SignUp
) -> None:
    partner = await sign_up_partner(["10001"], capacity=1)
    first = await created(api, seller_auth)
    waiting = await created(api, seller_auth)
    assert waiting["partner"] is None
    assert waiting["timeline"][0]["description"] == "Shipment placed"

    await deliver(api, partner, first["id"])

    assigned = await eventually(
        lambda: _shipment(api, seller_auth, waiting["id"]), lambda shipment: shipment["partner"]
    )
    assert assigned["partner"]["id"] == await _partner_id(api, partner)


async def test_a_waiting_shipment_is_assigned_when_a_cancellation_frees_capacity(
    api: httpx.AsyncClient, seller_auth: dict[str, str], sign_up_partner: SignUp
) -> None:
    await sign_up_partner(["10001"], capacity=1)
    first = await created(api, seller_auth)
    waiting = await created(api, seller_auth)

    cancel = await api.post(f"{SHIPMENT}/{first['id']}/cancel", headers=seller_auth)
    assert cancel.status_code == 200

    assigned = await eventually(
        lambda: _shipment(api, seller_auth, waiting["id"]), lambda shipment: shipment["partner"]
    )
    assert assigned["partner"]["id"] == first["partner"]["id"]


async def test_waiting_shipments_are_assigned_when_a_partner_raises_capacity(
    api: httpx.AsyncClient, seller_auth: dict[str, str], sign_up_partner: SignUp
) -> None:
    partner = await sign_up_partner(["10001"], capacity=1)
    await created(api, seller_auth)
    waiting = [await created(api, seller_auth) for _ in range(2)]

    raised = await api.patch(
        "/api/v1/partner/me", json={"max_handling_capacity": 3}, headers=partner
    )
    assert raised.status_code == 200
    assert raised.json()["max_handling_capacity"] == 3

    async def all_assigned() -> list[Any]:
        return [await _shipment(api, seller_auth, shipment["id"]) for shipment in waiting]

    await eventually(all_assigned, lambda reads: all(read["partner"] for read in reads))


async def test_a_waiting_shipment_is_assigned_when_a_new_partner_serves_its_zip(
    api: httpx.AsyncClient,
    settings: Settings,
    seller_auth: dict[str, str],
    sign_up_partner: SignUp,
) -> None:
    await sign_up_partner(["10001", "10002"], capacity=1)
    await created(api, seller_auth, VALID | {"destination_zip": "10002"})
    waiting = await created(api, seller_auth, VALID | {"destination_zip": "10002"})
    assert waiting["partner"] is None

    # Signing up (and verifying the email) through the API, which wakes the waiting shipments.
    newcomer_auth = await new_partner(api, settings, ["10002"], name="Newcomer")
    newcomer = await _partner_id(api, newcomer_auth)

    assigned = await eventually(
        lambda: _shipment(api, seller_auth, waiting["id"]), lambda shipment: shipment["partner"]
    )
    assert assigned["partner"]["id"] == newcomer


async def test_partners_edit_their_zips_and_capacity(
    api: httpx.AsyncClient, partner_auth: dict[str, str]
) -> None:
    response = await api.patch(
        "/api/v1/partner/me",
        json={"serviceable_zip_codes": ["94107", "sw1a1aa"]},
        headers=partner_auth,
    )
    assert response.status_code == 200
    assert response.json()["serviceable_zip_codes"] == ["94107", "SW1A1AA"]
    assert response.json()["max_handling_capacity"] == 10

    bodies: list[dict[str, Any]] = [
        {"max_handling_capacity": 0},
        {"serviceable_zip_codes": []},
        {"max_handling_capacity": "5"},
    ]
    for body in bodies:
        refused = await api.patch("/api/v1/partner/me", json=body, headers=partner_auth)
        assert refused.status_code == 422, body
