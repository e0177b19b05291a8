"""`/seller/shipments` and `/partner/shipments`: filters, search, sort orders and cursor
pagination; tags."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.shipments import SHIPMENT, VALID, created, reported


async def _ids(api: httpx.AsyncClient, auth: dict[str, str], role: str, **params: Any) -> list[str]:
    response = await api.get(f"/api/v1/{role}/shipments", params=params, headers=auth)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_lists_filter_by_status_tag_zip_text_and_time(
    api: httpx.AsyncClient, seller_auth: dict[str, str], sign_up_partner: Any
) -> None:
    partner = await sign_up_partner(["10001", "10002"])
    books = await created(api, seller_auth, VALID | {"tags": ["gift"]})
    lamp = await created(
        api,
        seller_auth,
        VALID | {"content": "A 100% brass lamp", "destination_zip": "10002", "tags": ["fragile"]},
    )
    await reported(api, partner, lamp["id"], status="in_transit")

    for role, auth in (("seller", seller_auth), ("partner", partner)):
        assert await _ids(api, auth, role) == [lamp["id"], books["id"]]
        assert await _ids(api, auth, role, status="in_transit") == [lamp["id"]]
        assert await _ids(api, auth, role, tag="gift") == [books["id"]]
        assert await _ids(api, auth, role, destination_zip="10002") == [lamp["id"]]
        assert await _ids(api, auth, role, q="BRASS") == [lamp["id"]]
        assert await _ids(api, auth, role, q="100%") == [lamp["id"]]
        assert await _ids(api, auth, role, q="_") == []
        assert await _ids(api, auth, role, created_after=lamp["created_at"]) == [lamp["id"]]
        assert await _ids(api, auth, role, created_before=lamp["created_at"]) == [books["id"]]


async def test_pages_follow_the_next_link_without_gaps_or_repeats(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    made = [(await created(api, seller_auth))["id"] for _ in range(5)]

    seen: list[str] = []
    url: str | None = "/api/v1/seller/shipments?limit=2"
    pages = 0
    while url is not None:
        page = (await api.get(url, headers=seller_auth)).json()
        seen += [item["id"] for item in page["items"]]
        url = page["next"]
        pages += 1

    assert seen == made[::-1]
    assert pages == 3


async def test_search_takes_web_search_syntax_over_content_and_tags(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    books = await created(api, seller_auth, VALID | {"tags": ["gift"]})  # "Two hardcover books"
    vase = await created(
        api, seller_auth, VALID | {"content": "Blue glass vase", "tags": ["fragile"]}
    )
    cold = await created(
        api,
        seller_auth,
        VALID | {"content": "Frozen hardcover cake", "tags": ["temperature_controlled"]},
    )

    async def found(**params: Any) -> set[str]:
        return set(await _ids(api, seller_auth, "seller", **params))

    assert await found(q="hardcover") == {books["id"], cold["id"]}
    assert await found(q="hardcover -cake") == {books["id"]}
    assert await found(q='"hardcover books"') == {books["id"]}
    assert await found(q='"books hardcover"') == set()  # a phrase keeps its order
    assert await found(q="vase or cake") == {vase["id"], cold["id"]}
    assert await found(q="fragile") == {vase["id"]}  # a tag is a word of the shipment
    assert await found(q="temperature controlled") == {cold["id"]}
    assert await found(q="hardcov") == {books["id"], cold["id"]}  # part of a word
    assert await found(q="hardcover", tag="gift") == {books["id"]}
    assert await found(q="hardcover", status="in_transit") == set()
    await reported(api, partner_auth, cold["id"], status="in_transit")
    assert await found(q="hardcover", status="in_transit") == {cold["id"]}
    assert await found(q='"') == set()  # syntax alone matches nothing, and fails nothing


async def test_lists_sort_by_last_change(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    first, second, third = [(await created(api, seller_auth))["id"] for _ in range(3)]
    await reported(api, partner_auth, first, status="in_transit")

    assert await _ids(api, seller_auth, "seller") == [third, second, first]
    assert await _ids(api, seller_auth, "seller", sort="updated") == [first, third, second]
    assert await _ids(api, partner_auth, "partner", sort="updated") == [first, third, second]


@pytest.mark.parametrize("sort", ["created", "updated"])
async def test_pages_stay_in_place_while_shipments_are_created(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str], sort: str
) -> None:
    made = [(await created(api, seller_auth))["id"] for _ in range(4)]
    url = f"/api/v1/seller/shipments?limit=2&sort={sort}"
    first_page = (await api.get(url, headers=seller_auth)).json()
    newer = [(await created(api, seller_auth))["id"] for _ in range(2)]
    second_page = (await api.get(first_page["next"], headers=seller_auth)).json()

    seen = [item["id"] for item in first_page["items"] + second_page["items"]]
    assert seen == made[::-1]  # none repeated or skipped; the new ones are on a fresh first page
    assert not set(newer) & set(seen)
    assert second_page["next"] is None


async def test_a_cursor_is_refused_in_the_other_sort_order(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    for _ in range(2):
        await created(api, seller_auth)
    page = (await api.get("/api/v1/seller/shipments?limit=1", headers=seller_auth)).json()
    response = await api.get(
        "/api/v1/seller/shipments",
        params={"cursor": page["next_cursor"], "sort": "updated"},
        headers=seller_auth,
    )
    assert response.status_code == 422
    assert "`created` order" in response.json()["detail"]


async def test_a_list_shows_no_one_elses_shipments(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    sign_up_seller: Any,
    sign_up_partner: Any,
) -> None:
    await created(api, seller_auth)
    assert await _ids(api, await sign_up_seller(), "seller") == []
    assert await _ids(api, await sign_up_partner(["10001"]), "partner") == []


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "garbage"},
        {"limit": 0},
        {"limit": 101},
        {"status": "lost"},
        {"tag": "urgent"},
        {"created_after": "yesterday"},
        {"created_before": "1700000000"},
        {"created_after": "2026-11-26T00:00:00"},
        {"q": "nul\x00"},
    ],
)
async def test_bad_list_parameters_are_refused(
    api: httpx.AsyncClient, seller_auth: dict[str, str], params: dict[str, Any]
) -> None:
    response = await api.get("/api/v1/seller/shipments", params=params, headers=seller_auth)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_old_time_window_is_empty(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    await created(api, seller_auth)
    before = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert await _ids(api, seller_auth, "seller", created_before=before) == []


async def test_sellers_add_and_remove_tags(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    shipment = await created(api, seller_auth)
    tags = f"{SHIPMENT}/{shipment['id']}/tags"

    added = await api.post(tags, json={"tag": "express"}, headers=seller_auth)
    again = await api.post(tags, json={"tag": "express"}, headers=seller_auth)
    assert added.status_code == again.status_code == 200
    assert again.json()["tags"] == ["fragile", "gift", "express"]

    removed = await api.delete(f"{tags}/gift", headers=seller_auth)
    assert removed.json()["tags"] == ["fragile", "express"]
    assert (await api.post(tags, json={"tag": "urgent"}, headers=seller_auth)).status_code == 422
    assert (await api.delete(f"{tags}/urgent", headers=seller_auth)).status_code == 422


async def test_counts_by_status_are_each_accounts_own(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    sign_up_seller: Any,
    sign_up_partner: Any,
) -> None:
    partner = await sign_up_partner(["10001"])
    other_seller = await sign_up_seller()
    moving = [await created(api, seller_auth) for _ in range(2)]
    await created(api, seller_auth)
    await created(api, other_seller)
    for shipment in moving:
        await reported(api, partner, shipment["id"], status="in_transit")
    await api.post(f"{SHIPMENT}/{moving[0]['id']}/cancel", headers=seller_auth)

    mine = (await api.get("/api/v1/seller/shipments/counts", headers=seller_auth)).json()
    carried = (await api.get("/api/v1/partner/shipments/counts", headers=partner)).json()

    assert mine["by_status"] == {
        "placed": 1,
        "in_transit": 1,
        "out_for_delivery": 0,
        "delivered": 0,
        "cancelled": 1,
    }
    assert (mine["total"], mine["needs_attention"]) == (3, 0)
    assert carried["total"] == 4  # every shipment in its zip, both sellers'
    assert carried["by_status"]["in_transit"] == 1
