"""A seller at a desk: signs up, confirms the email from the outbox page, logs in, creates a
shipment (a double click creates one), and finds it on the dashboard."""

import re
import uuid

import httpx
from playwright.async_api import Page, expect

from tests.accounts import PASSWORD
from tests.server.browser.conftest import DESK, Shots


async def test_a_seller_signs_up_verifies_logs_in_and_creates_a_shipment(
    page: Page, web_url: str, api: httpx.AsyncClient, partner_auth: dict[str, str], shots: Shots
) -> None:
    email = f"shop-{uuid.uuid4().hex[:8]}@example.com"
    await page.set_viewport_size(DESK)
    await page.goto(web_url)
    await shots.take(page, "landing")
    await page.get_by_role("link", name="Sign up (Seller)").click()

    await page.get_by_label("Name").fill("Acme Books")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_text(f"We sent a verification link to {email}")).to_be_visible()
    await shots.take(page, "signed-up")

    # As a person would: open the development outbox and click the link in the email.
    await page.goto(f"{web_url}/dev/outbox")
    link = page.get_by_role("link", name=re.compile(r"verify.seller.token="))
    await expect(link.first).to_be_visible()
    await shots.take(page, "outbox")
    await link.first.click()
    await expect(page.get_by_text("Your email is verified")).to_be_visible()
    await shots.take(page, "verified")
    await page.get_by_role("link", name="Go to log in").click()

    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Your shipments")).to_be_visible()
    await shots.take(page, "dashboard-empty")

    await page.get_by_role("link", name="New shipment").click()
    await page.get_by_label("Content").fill("Two hardcover books")
    await page.get_by_label("Weight (kg)").fill("1.2")
    await page.get_by_label("Destination zip").fill("10001")
    await page.get_by_label("Recipient email").fill("ana@example.com")
    await shots.take(page, "create-form")
    await page.get_by_role("button", name="Create shipment").dblclick()  # an impatient seller
    await expect(page.get_by_text("Two hardcover books")).to_be_visible()
    await expect(page.get_by_text("Swift Couriers").first).to_be_visible()
    await shots.take(page, "created")

    login = {"username": email, "password": PASSWORD}
    token = (await api.post("/api/v1/seller/token", data=login)).json()["access_token"]
    listed = await api.get("/api/v1/seller/shipments", headers={"Authorization": f"Bearer {token}"})
    assert len(listed.json()["items"]) == 1  # the double click created one shipment
