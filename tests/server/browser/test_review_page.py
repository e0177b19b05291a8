"""The recipient's review page: stars and a comment, taken once; the link then says so."""

import httpx
from playwright.async_api import Page, expect

from tests.server.browser.conftest import PHONE, Shots
from tests.shipments import created, deliver, review_token


async def test_a_review_is_taken_once(
    page: Page,
    web_url: str,
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    shots: Shots,
) -> None:
    shipment = await created(api, seller_auth)
    await deliver(api, partner_auth, shipment["id"])
    token = await review_token(api, shipment["id"])
    await page.set_viewport_size(PHONE)
    await page.goto(f"{web_url}/review/{token}")

    await expect(page.get_by_role("heading", name="How was your delivery?")).to_be_visible()
    await shots.take(page, "form")
    await page.get_by_role("radio", name="4 stars").check()
    await page.get_by_label("Comment (optional)").fill("On time, the box was a bit dented")
    await page.get_by_role("button", name="Send review").click()
    await expect(page.get_by_text("Thank you for your review!")).to_be_visible()
    await shots.take(page, "thanks")

    stored = (await api.get(f"/api/v1/review/{token}")).json()
    assert stored["review"]["rating"] == 4
    await page.reload()
    await expect(page.get_by_text("This delivery has already been reviewed.")).to_be_visible()
    await shots.take(page, "already-reviewed")


async def test_a_broken_review_link_says_what_happened(
    page: Page, web_url: str, shots: Shots
) -> None:
    await page.set_viewport_size(PHONE)
    await page.goto(f"{web_url}/review/not-a-real-token")

    await expect(
        page.get_by_role("heading", name="This review link is invalid or has expired")
    ).to_be_visible()
    await shots.take(page, "invalid")
