"""ETags and 304 Not Modified on the tracking read and a shipment's read: a polling client
downloads a document again only once it changed, and never misses a change."""

import httpx

from tests.accounts import SignUp
from tests.shipments import SHIPMENT, created, reported

TRACK = "/api/v1/track"


async def test_the_tracking_read_answers_304_until_the_parcel_moves(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    shipment = await created(api, seller_auth)
    url = f"{TRACK}/{shipment['tracking_code']}"
    first = await api.get(url)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, no-cache"

    unchanged = await api.get(url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["ETag"] == etag

    await reported(api, partner_auth, shipment["id"], status="in_transit")
    moved = await api.get(url, headers={"If-None-Match": etag})
    assert moved.status_code == 200
    assert moved.json()["status"] == "in_transit"  # the acknowledged change, never the older one
    assert moved.headers["ETag"] != etag


async def test_a_shipment_read_changes_its_etag_with_its_tags_too(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    """Tags change no timeline: the tag is taken from the whole document."""
    shipment = await created(api, seller_auth)
    url = f"{SHIPMENT}/{shipment['id']}"
    first = await api.get(url, headers=seller_auth)
    assert first.json() == shipment
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    assert (await api.get(url, headers=seller_auth | {"If-None-Match": etag})).status_code == 304

    tagged = await api.post(f"{url}/tags", json={"tag": "express"}, headers=seller_auth)
    assert tagged.status_code == 200
    again = await api.get(url, headers=seller_auth | {"If-None-Match": etag})
    assert again.status_code == 200
    assert "express" in again.json()["tags"]


async def test_if_none_match_takes_lists_weak_tags_and_a_star(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    shipment = await created(api, seller_auth)
    url = f"{TRACK}/{shipment['tracking_code']}"
    etag = (await api.get(url)).headers["ETag"]
    for header in (f'"stale", {etag}', f"W/{etag}", "*"):
        assert (await api.get(url, headers={"If-None-Match": header})).status_code == 304, header
    assert (await api.get(url, headers={"If-None-Match": '"stale"'})).status_code == 200


async def test_a_stranger_gets_no_304_for_a_shipment_that_is_not_theirs(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    sign_up_seller: SignUp,
) -> None:
    shipment = await created(api, seller_auth)
    url = f"{SHIPMENT}/{shipment['id']}"
    etag = (await api.get(url, headers=seller_auth)).headers["ETag"]
    stranger = await sign_up_seller()
    response = await api.get(url, headers=stranger | {"If-None-Match": etag})
    assert response.status_code == 404
