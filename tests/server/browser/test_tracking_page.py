"""The recipient's tracking page, on a phone: it follows the parcel by itself (through its stream)
and shows nobody's contact details."""

import httpx
from playwright.async_api import Page, Route, expect

from tests.server.browser.conftest import PHONE, Shots
from tests.shipments import VALID, created, delivery_code, reported


async def _refuse(route: Route) -> None:
    await route.abort()


async def test_the_tracking_page_follows_the_parcel_without_a_reload(
    page: Page,
    web_url: str,
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    shots: Shots,
) -> None:
    await page.set_viewport_size(PHONE)
    shipment = await created(api, seller_auth)
    await page.goto(f"{web_url}/track/{shipment['tracking_code']}")

    status = page.get_by_role("heading", level=1)
    await expect(status).to_have_text("Order placed")
    await expect(page.get_by_text("Swift Couriers", exact=True)).to_be_visible()
    await shots.take(page, "placed")
    await page.evaluate("window.sameDocument = true")  # gone if the page reloads
    # From here on the page can learn of a change only through its stream: its read is refused.
    await page.route(f"**/api/v1/track/{shipment['tracking_code']}", _refuse)

    await reported(api, partner_auth, shipment["id"], status="in_transit", description="Picked up")
    await expect(status).to_have_text("In transit", timeout=15_000)
    await expect(page.get_by_text("Picked up", exact=True)).to_be_visible()
    await shots.take(page, "in-transit")
    await reported(api, partner_auth, shipment["id"], location_zip="07030")
    await expect(page.get_by_text("Near zip 07030")).to_be_visible(timeout=15_000)
    await reported(api, partner_auth, shipment["id"], status="out_for_delivery")
    await expect(status).to_have_text("Out for delivery", timeout=15_000)
    await shots.take(page, "out-for-delivery")
    code = await delivery_code(api, shipment["id"])
    await reported(api, partner_auth, shipment["id"], status="delivered", verification_code=code)
    await expect(status).to_have_text("Delivered", timeout=15_000)
    await shots.take(page, "delivered")

    assert await page.evaluate("window.sameDocument") is True
    shown = await page.content()
    assert VALID["client_contact_email"] not in shown
    assert VALID["client_contact_phone"][2:] not in shown


async def test_an_unknown_code_says_so_plainly(page: Page, web_url: str, shots: Shots) -> None:
    await page.set_viewport_size(PHONE)
    await page.goto(f"{web_url}/track/no-such-code")

    await expect(page.get_by_role("heading", level=1)).to_have_text("We can't find this parcel")
    await shots.take(page, "unknown")
