"""Who may do what to a shipment: each route against each kind of caller."""

from collections.abc import Awaitable, Callable

import httpx
import pytest

from tests.accounts import SignUp
from tests.shipments import SHIPMENT, created

CALLERS = ["owner", "other_seller", "assigned_partner", "other_partner", "anonymous"]

Call = Callable[[httpx.AsyncClient, str, dict[str, str]], Awaitable[httpx.Response]]

ROUTES: dict[str, tuple[Call, dict[str, int]]] = {
    "read": (
        lambda api, sid, auth: api.get(f"{SHIPMENT}/{sid}", headers=auth),
        {"owner": 200, "other_seller": 404, "assigned_partner": 200, "other_partner": 404},
    ),
    "timeline": (
        lambda api, sid, auth: api.get(f"{SHIPMENT}/{sid}/timeline", headers=auth),
        {"owner": 200, "other_seller": 404, "assigned_partner": 200, "other_partner": 404},
    ),
    "report": (
        lambda api, sid, auth: api.post(
            f"{SHIPMENT}/{sid}/events", json={"status": "in_transit"}, headers=auth
        ),
        {"owner": 403, "other_seller": 403, "assigned_partner": 200, "other_partner": 404},
    ),
    "cancel": (
        lambda api, sid, auth: api.post(f"{SHIPMENT}/{sid}/cancel", headers=auth),
        {"owner": 200, "other_seller": 404, "assigned_partner": 403, "other_partner": 403},
    ),
    "add_tag": (
        lambda api, sid, auth: api.post(
            f"{SHIPMENT}/{sid}/tags", json={"tag": "express"}, headers=auth
        ),
        {"owner": 200, "other_seller": 404, "assigned_partner": 403, "other_partner": 403},
    ),
    "remove_tag": (
        lambda api, sid, auth: api.delete(f"{SHIPMENT}/{sid}/tags/gift", headers=auth),
        {"owner": 200, "other_seller": 404, "assigned_partner": 403, "other_partner": 403},
    ),
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("route", ROUTES)
async def test_each_caller_gets_the_documented_answer(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    sign_up_seller: SignUp,
    sign_up_partner: SignUp,
    route: str,
    caller: str,
) -> None:
    shipment = await created(api, seller_auth)
    auths = {
        "owner": seller_auth,
        "other_seller": await sign_up_seller(),
        "assigned_partner": partner_auth,
        "other_partner": await sign_up_partner(["10001"]),
        "anonymous": {},
    }
    call, expected = ROUTES[route]

    response = await call(api, shipment["id"], auths[caller])

    assert response.status_code == expected.get(caller, 401), response.text
    if response.status_code != 200:
        assert response.headers["content-type"] == "application/problem+json"
        assert shipment["content"] not in response.text
        assert shipment["tracking_code"] not in response.text
