"""Helpers for driving shipments through HTTP in tests."""

import re
from typing import Any

import httpx

from tests.helpers import eventually

SHIPMENT = "/api/v1/shipment"

VALID: dict[str, Any] = {
    "content": "Two hardcover books",
    "weight": 1.2,
    "destination_zip": "10001",
    "client_contact_email": "ana@example.com",
    "client_contact_phone": "+14155550123",
    "tags": ["fragile", "gift", "fragile"],
}


async def create(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    body: dict[str, Any] | None = None,
    key: str = "",
) -> httpx.Response:
    headers = auth | ({"Idempotency-Key": key} if key else {})
    return await api.post(SHIPMENT, json=VALID if body is None else body, headers=headers)


async def created(
    api: httpx.AsyncClient, auth: dict[str, str], body: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await create(api, auth, body)
    assert response.status_code == 201, response.text
    shipment: dict[str, Any] = response.json()
    return shipment


async def report(
    api: httpx.AsyncClient, auth: dict[str, str], shipment_id: str, **event: Any
) -> httpx.Response:
    return await api.post(f"{SHIPMENT}/{shipment_id}/events", json=event, headers=auth)


async def reported(
    api: httpx.AsyncClient, auth: dict[str, str], shipment_id: str, **event: Any
) -> dict[str, Any]:
    response = await report(api, auth, shipment_id, **event)
    assert response.status_code == 200, response.text
    shipment: dict[str, Any] = response.json()
    return shipment


async def outbox(api: httpx.AsyncClient, shipment_id: str) -> list[dict[str, Any]]:
    response = await api.get("/api/v1/dev/outbox", params={"shipment_id": shipment_id})
    assert response.status_code == 200, response.text
    messages: list[dict[str, Any]] = response.json()
    return messages


async def sent(
    api: httpx.AsyncClient, shipment_id: str, template: str, count: int = 1
) -> list[dict[str, Any]]:
    """The outbox's `template` emails of the shipment, newest first, once `count` have come
    (messages go out a moment after the change that causes them)."""

    async def emails() -> list[dict[str, Any]]:
        return [
            message
            for message in await outbox(api, shipment_id)
            if message["template"] == template and message["channel"] == "email"
        ]

    return await eventually(emails, lambda found: len(found) >= count)


async def delivery_code(api: httpx.AsyncClient, shipment_id: str, count: int = 1) -> str:
    """The newest delivery code the recipient was emailed, once `count` codes were sent."""
    newest = (await sent(api, shipment_id, "out_for_delivery", count))[0]
    found = re.search(r":\s*(\d{6})\b", newest["body"])
    assert found, newest["body"]
    return found.group(1)


async def review_token(
    api: httpx.AsyncClient, shipment_id: str, template: str = "delivered"
) -> str:
    newest = (await sent(api, shipment_id, template))[0]
    found = re.search(r"/review/([\w.-]+)", newest["body"])
    assert found, newest["body"]
    return found.group(1)


async def out_for_delivery(
    api: httpx.AsyncClient, partner: dict[str, str], shipment_id: str
) -> None:
    await reported(api, partner, shipment_id, status="in_transit")
    await reported(api, partner, shipment_id, status="out_for_delivery")


async def deliver(api: httpx.AsyncClient, partner: dict[str, str], shipment_id: str) -> None:
    await out_for_delivery(api, partner, shipment_id)
    code = await delivery_code(api, shipment_id)
    await reported(api, partner, shipment_id, status="delivered", verification_code=code)
