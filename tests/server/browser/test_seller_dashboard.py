"""The seller's dashboard: the cards count by status and filter the list, the filter in the URL."""

import httpx
from playwright.async_api import Page, expect

from tests.server.browser.conftest import DESK, Shots, log_in_seller
from tests.shipments import VALID, created, reported


async def test_the_cards_count_and_filter_the_list(
    page: Page,
    web_url: str,
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    shots: Shots,
) -> None:
    for content in ("Lamp", "Mug", "Rug"):
        shipment = await created(api, seller_auth, VALID | {"content": content})
    await reported(api, partner_auth, shipment["id"], status="in_transit")  # the rug
    await page.set_viewport_size(DESK)
    await log_in_seller(page, web_url, api, seller_auth)
    await page.goto(f"{web_url}/seller")
    await expect(page.get_by_role("button", name="All 3")).to_be_visible()
    await expect(page.get_by_role("button", name="Order placed 2")).to_be_visible()
    await shots.take(page, "all")

    await page.get_by_role("button", name="In transit 1").click()
    await expect(page).to_have_url(f"{web_url}/seller?status=in_transit")
    await expect(page.get_by_role("link", name="Rug")).to_be_visible()
    await expect(page.get_by_role("link", name="Lamp")).to_have_count(0)
    await shots.take(page, "in-transit")


async def test_the_dashboard_follows_the_sellers_feed_without_a_reload(
    page: Page,
    web_url: str,
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
) -> None:
    await page.set_viewport_size(DESK)
    await log_in_seller(page, web_url, api, seller_auth)
    await page.goto(f"{web_url}/seller")
    await expect(page.get_by_role("button", name="All 0")).to_be_visible()
    await page.evaluate("window.sameDocument = true")  # gone if the page reloads

    # The list is not polled: only the feed can tell the page of these.
    shipment = await created(api, seller_auth, VALID | {"content": "Kettle"})
    await expect(page.get_by_role("link", name="Kettle")).to_be_visible(timeout=10_000)
    await expect(page.get_by_role("button", name="Order placed 1")).to_be_visible()
    await reported(api, partner_auth, shipment["id"], status="in_transit")
    await expect(page.get_by_role("button", name="In transit 1")).to_be_visible(timeout=10_000)
    assert await page.evaluate("window.sameDocument") is True
