"""The seller's webhook endpoints: registered in the app, the secret shown once, the deliveries
logged."""

import re

import httpx
from playwright.async_api import Page, expect

from tests.fake_webhooks import Receiver
from tests.server.browser.conftest import DESK, Shots, log_in_seller
from tests.shipments import created


async def test_an_endpoint_is_registered_shows_its_secret_once_and_logs_deliveries(
    page: Page,
    web_url: str,
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    receiver: Receiver,
    shots: Shots,
) -> None:
    await page.set_viewport_size(DESK)
    await log_in_seller(page, web_url, api, seller_auth)
    await page.get_by_role("link", name="Webhooks").click()
    await page.get_by_label("Endpoint URL").fill(receiver.url)
    await page.get_by_label("shipment.placed").check()
    await page.get_by_role("button", name="Register endpoint").click()

    secret = page.get_by_label("Signing secret")
    await expect(secret).to_have_value(re.compile(r"^whsec_\S+$"))
    await shots.take(page, "secret-once")
    await page.get_by_role("button", name="I have saved the secret").click()
    await expect(page.get_by_label("Signing secret")).to_have_count(0)
    await expect(page.get_by_text("Verified", exact=True)).to_be_visible()
    await shots.take(page, "endpoints")

    await created(api, seller_auth)
    await page.get_by_role("link", name=f"Delivery log for {receiver.url}").click()
    await expect(page.get_by_role("heading", name="Delivery log")).to_be_visible()
    await expect(page.get_by_role("cell", name="shipment.placed")).to_be_visible(timeout=15_000)
    await shots.take(page, "delivery-log")
    assert [delivery.document["type"] for delivery in receiver.deliveries] == ["shipment.placed"]
