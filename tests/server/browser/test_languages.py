"""The UI speaks English and Spanish: switched from the header, kept across pages, and the
recipient's tracking page follows it."""

import httpx
from playwright.async_api import Page, expect

from tests.server.browser.conftest import PHONE, Shots
from tests.shipments import created


async def test_the_spanish_ui_is_spanish_from_page_to_page(
    page: Page,
    web_url: str,
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    shots: Shots,
) -> None:
    shipment = await created(api, seller_auth)
    await page.set_viewport_size(PHONE)
    await page.goto(web_url)
    await expect(page.locator("html")).to_have_attribute("lang", "en")

    await page.get_by_label("Language").select_option(label="Español")
    await expect(
        page.get_by_role("heading", name="Paquetes entregados, personas informadas")
    ).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    await shots.take(page, "landing-es")

    await page.goto(f"{web_url}/track/{shipment['tracking_code']}")
    await expect(page.get_by_text("Tu paquete")).to_be_visible()
    await expect(page.get_by_label("Idioma")).to_have_value("es")
    # The system's own timeline notes too, not only the labels around them.
    await expect(page.get_by_text("Envío registrado")).to_be_visible()
    await expect(page.get_by_text("Asignado al repartidor Swift Couriers")).to_be_visible()
    await expect(page.get_by_text("Shipment placed")).to_have_count(0)
    await shots.take(page, "tracking-es")
