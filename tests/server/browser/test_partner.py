"""A delivery partner on a phone: logs in, takes a parcel through in transit and out for
delivery, types a wrong code (and is told the tries left), then the recipient's code."""

import uuid

import httpx
from playwright.async_api import Page, expect

from fastship.settings import Settings
from models.domain import Role
from tests.accounts import PASSWORD, verify_email
from tests.server.browser.conftest import PHONE, Shots
from tests.shipments import created, delivery_code


async def _partner(api: httpx.AsyncClient, settings: Settings) -> str:
    email = f"courier-{uuid.uuid4().hex[:8]}@example.com"
    account = {
        "name": "Swift Couriers",
        "email": email,
        "password": PASSWORD,
        "serviceable_zip_codes": ["10001"],
        "max_handling_capacity": 8,
    }
    response = await api.post("/api/v1/partner/signup", json=account)
    await verify_email(api, settings, Role.PARTNER, response.json()["id"])
    return email


async def test_a_partner_delivers_from_a_phone_with_the_recipients_code(
    page: Page,
    web_url: str,
    api: httpx.AsyncClient,
    settings: Settings,
    seller_auth: dict[str, str],
    shots: Shots,
) -> None:
    email = await _partner(api, settings)
    shipment = await created(api, seller_auth)
    await page.set_viewport_size(PHONE)
    await page.goto(f"{web_url}/partner/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()

    await expect(page.get_by_role("heading", name="Your deliveries")).to_be_visible()
    await expect(page.get_by_text("1 of 8 parcels").first).to_be_visible()
    await shots.take(page, "deliveries")
    await page.get_by_role("link", name="Two hardcover books").click()
    # Only the steps the lifecycle allows from here.
    await expect(page.get_by_role("button", name="Out for delivery")).to_have_count(0)
    await shots.take(page, "placed")
    await page.get_by_role("button", name="Picked up: start transit").click()
    await expect(page.get_by_text("Saved.")).to_be_visible()
    await page.get_by_role("button", name="Out for delivery").click()
    await expect(page.get_by_label("Delivery code from the recipient")).to_be_visible()
    await shots.take(page, "out-for-delivery")

    code = await delivery_code(api, shipment["id"])
    wrong = "000000" if code != "000000" else "111111"
    await page.get_by_label("Delivery code from the recipient").fill(wrong)
    await page.get_by_role("button", name="Confirm delivery").click()
    await expect(page.get_by_text("Wrong code. 4 tries left.")).to_be_visible()
    await shots.take(page, "wrong-code")
    await page.get_by_label("Delivery code from the recipient").fill(code)
    await page.get_by_role("button", name="Confirm delivery").click()
    await expect(page.get_by_text("No further steps: this shipment is finished.")).to_be_visible()
    await shots.take(page, "delivered")

    stored = await api.get(f"/api/v1/shipment/{shipment['id']}", headers=seller_auth)
    assert stored.json()["status"] == "delivered"
