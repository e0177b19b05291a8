"""Which messages each shipment trigger sends, to whom, in which language, with which links."""

from typing import Any

import httpx
from temporalio.client import Client

from tests.accounts import SignUp
from tests.helpers import eventually
from tests.shipments import VALID, created, delivery_code, outbox, reported, sent

RECIPIENT = VALID["client_contact_email"]
PHONE = VALID["client_contact_phone"]


async def settled_outbox(
    api: httpx.AsyncClient, shipment_id: str, count: int
) -> set[tuple[str, str, str, str]]:
    """(template, channel, recipient, language) of the shipment's messages, once `count` came."""

    async def messages() -> list[dict[str, Any]]:
        return await outbox(api, shipment_id)

    found = await eventually(messages, lambda found: len(found) >= count)
    return {
        (message["template"], message["channel"], message["recipient"], message["language"])
        for message in found
    }


async def email_of(api: httpx.AsyncClient, auth: dict[str, str]) -> str:
    email: str = (await api.get("/api/v1/partner/me", headers=auth)).json()["email"]
    return email


async def test_a_delivered_shipment_sends_the_documented_messages_in_each_reader_s_language(
    api: httpx.AsyncClient, sign_up_seller: SignUp, sign_up_partner: SignUp, temporal: Client
) -> None:
    seller = await sign_up_seller(language="es")  # the recipient's language follows the seller's
    partner = await sign_up_partner(language="en")
    shipment = await created(api, seller)
    shipment_id = shipment["id"]
    assert shipment["recipient_language"] == "es"

    [shipped] = await sent(api, shipment_id, "shipped")
    assert f"/track/{shipment['tracking_code']}" in shipped["body"]
    assert shipped["subject"] != "Your order has shipped"  # Spanish
    await reported(api, partner, shipment_id, status="in_transit")
    await reported(api, partner, shipment_id, status="out_for_delivery")
    code = await delivery_code(api, shipment_id)
    await reported(api, partner, shipment_id, status="delivered", verification_code=code)
    [delivered] = await sent(api, shipment_id, "delivered")
    assert "/review/" in delivered["body"]

    partner_email = await email_of(api, partner)
    assert await settled_outbox(api, shipment_id, 6) == {
        ("shipped", "email", RECIPIENT, "es"),
        ("partner_assigned", "email", partner_email, "en"),
        ("out_for_delivery", "email", RECIPIENT, "es"),
        ("out_for_delivery", "sms", PHONE, "es"),
        ("delivered", "email", RECIPIENT, "es"),
        ("delivered", "sms", PHONE, "es"),
    }
    sms = [message for message in await outbox(api, shipment_id) if message["channel"] == "sms"]
    assert any(code in message["body"] for message in sms)


async def test_a_cancellation_tells_the_recipient_and_the_partner(
    api: httpx.AsyncClient, sign_up_seller: SignUp, sign_up_partner: SignUp
) -> None:
    seller = await sign_up_seller(language="es")
    partner = await sign_up_partner(language="es")
    body = VALID | {"recipient_language": "en", "client_contact_phone": None}
    shipment_id = (await created(api, seller, body))["id"]

    cancelled = await api.post(f"/api/v1/shipment/{shipment_id}/cancel", headers=seller)
    assert cancelled.status_code == 200

    partner_email = await email_of(api, partner)
    assert await settled_outbox(api, shipment_id, 4) == {
        ("shipped", "email", RECIPIENT, "en"),
        ("partner_assigned", "email", partner_email, "es"),
        ("cancelled", "email", RECIPIENT, "en"),
        ("partner_cancelled", "email", partner_email, "es"),
    }
    [message] = await sent(api, shipment_id, "cancelled")
    assert message["subject"] == "Your shipment has been cancelled"
