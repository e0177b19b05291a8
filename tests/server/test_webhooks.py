"""Seller webhooks: registration and its checks, signed deliveries retried by Temporal, the log.

A local receiver (an aiohttp server on 127.0.0.1) records what it gets and can be told to fail or to
ignore handshakes. The test settings allow loopback; `refusing_api` is the API as in production.
"""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks import Webhook
from temporalio import workflow
from temporalio.client import Client, WorkflowFailureError
from temporalio.worker import Worker

from activities.webhooks import WebhookActivities
from fastship.settings import Settings
from models.webhook_retries import WEBHOOK_RETRY_POLICY
from models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEventType
from models.workflow_io import ActivityName
from repositories import webhooks
from repositories.webhooks import WebhookEvent
from tests.accounts import SignUp
from tests.fake_webhooks import Received, Receiver
from tests.helpers import eventually, serve_api
from tests.shipments import created
from tests.shipments import deliver as deliver_shipment

WEBHOOKS = "/api/v1/seller/webhooks"
DELIVERED = WebhookEventType.SHIPMENT_DELIVERED


@pytest.fixture(scope="module")
async def refusing_api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The API as in production: no webhooks to private addresses or over plain http."""
    refusing = settings.model_copy(update={"webhook_allow_private_networks": False})
    async with serve_api(refusing) as client:
        yield client


class DeliveryRun(BaseModel):
    delivery_id: uuid.UUID
    deadline: timedelta


@workflow.defn(sandboxed=False)
class DeliverWebhook:
    """Runs one delivery as a shipment workflow would."""

    @workflow.run
    async def run(self, delivery: DeliveryRun) -> None:
        await workflow.execute_activity(
            ActivityName.DELIVER_WEBHOOK,
            delivery.delivery_id,
            schedule_to_close_timeout=delivery.deadline,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=WEBHOOK_RETRY_POLICY,
        )


@pytest.fixture(scope="module")
async def delivery_queue(
    temporal: Client, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[str]:
    """A task queue served by a worker running `deliver_webhook`."""
    task_queue = f"webhooks-test-{uuid.uuid4()}"
    activities = WebhookActivities(sessions, settings)
    async with Worker(
        temporal,
        task_queue=task_queue,
        workflows=[DeliverWebhook],
        activities=[activities.deliver_webhook],
    ):
        yield task_queue


async def deliver(
    temporal: Client,
    task_queue: str,
    delivery_id: uuid.UUID,
    deadline: timedelta = timedelta(minutes=1),
) -> None:
    await temporal.execute_workflow(
        DeliverWebhook.run,
        DeliveryRun(delivery_id=delivery_id, deadline=deadline),
        id=f"deliver-webhook-{delivery_id}",
        task_queue=task_queue,
    )


async def register(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    url: str,
    event_types: list[str] | None = None,
) -> httpx.Response:
    body = {"url": url, "event_types": event_types or [DELIVERED.value]}
    return await api.post(WEBHOOKS, json=body, headers=auth)


async def registered(
    api: httpx.AsyncClient, auth: dict[str, str], url: str, event_types: list[str] | None = None
) -> dict[str, Any]:
    response = await register(api, auth, url, event_types)
    assert response.status_code == 201, response.text
    endpoint: dict[str, Any] = response.json()
    return endpoint


@dataclass(frozen=True)
class Shipper:
    """A seller with one shipment, the subject of the events enqueued."""

    auth: dict[str, str]
    seller_id: uuid.UUID
    shipment_id: uuid.UUID


@pytest.fixture
async def shipper(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> Shipper:
    shipment = await created(api, seller_auth)
    me = await api.get("/api/v1/seller/me", headers=seller_auth)
    return Shipper(seller_auth, uuid.UUID(me.json()["id"]), uuid.UUID(shipment["id"]))


async def enqueue(
    sessions: async_sessionmaker[AsyncSession],
    shipper: Shipper,
    event_type: WebhookEventType = DELIVERED,
    occurred_at: datetime | None = None,
) -> list[uuid.UUID]:
    async with sessions.begin() as session:
        return await webhooks.enqueue(
            session,
            seller_id=shipper.seller_id,
            shipment_id=shipper.shipment_id,
            events=[
                WebhookEvent(
                    event_type,
                    {"shipment_id": str(shipper.shipment_id), "status": "delivered"},
                    occurred_at or datetime.now(UTC),
                )
            ],
        )


async def log(api: httpx.AsyncClient, auth: dict[str, str], endpoint_id: str) -> list[Any]:
    response = await api.get(f"{WEBHOOKS}/{endpoint_id}/deliveries", headers=auth)
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


async def test_registration_verifies_the_endpoint_and_shows_the_secret_once(
    api: httpx.AsyncClient, seller_auth: dict[str, str], receiver: Receiver
) -> None:
    response = await register(api, seller_auth, receiver.url, ["shipment.in_transit"])

    assert response.status_code == 201, response.text
    endpoint = response.json()
    assert endpoint["secret"].startswith("whsec_")
    assert endpoint["verified"] is True
    assert endpoint["verification_error"] is None
    assert endpoint["event_types"] == ["shipment.in_transit"]
    assert response.headers["Location"] == f"{WEBHOOKS}/{endpoint['id']}"
    [handshake] = receiver.received
    verified = Webhook(endpoint["secret"]).verify(handshake.body, handshake.headers)
    assert verified["type"] == "webhook.verification"
    assert verified["challenge"]

    listed = await api.get(WEBHOOKS, headers=seller_auth)
    one = await api.get(f"{WEBHOOKS}/{endpoint['id']}", headers=seller_auth)
    assert listed.status_code == one.status_code == 200
    assert [item["id"] for item in listed.json()] == [endpoint["id"]]
    assert one.json()["url"] == receiver.url
    assert "secret" not in listed.text
    assert "secret" not in one.text


async def test_an_endpoint_that_does_not_echo_the_challenge_is_stored_unverified(
    api: httpx.AsyncClient, seller_auth: dict[str, str], receiver: Receiver
) -> None:
    receiver.echoes_challenges = False

    endpoint = await registered(api, seller_auth, receiver.url)

    assert endpoint["verified"] is False
    assert "challenge" in endpoint["verification_error"]


async def test_endpoints_are_private_to_their_seller(
    api: httpx.AsyncClient, sign_up_seller: SignUp, receiver: Receiver
) -> None:
    owner, other = await sign_up_seller(), await sign_up_seller()
    endpoint = await registered(api, owner, receiver.url)
    path = f"{WEBHOOKS}/{endpoint['id']}"

    assert (await api.get(path, headers=other)).status_code == 404
    assert (await api.get(f"{path}/deliveries", headers=other)).status_code == 404
    assert (await api.delete(path, headers=other)).status_code == 404
    assert (await api.get(WEBHOOKS, headers=other)).json() == []
    assert (await api.get(path, headers=owner)).status_code == 200


async def test_a_deleted_endpoint_is_gone(
    api: httpx.AsyncClient, seller_auth: dict[str, str], receiver: Receiver
) -> None:
    endpoint = await registered(api, seller_auth, receiver.url)
    path = f"{WEBHOOKS}/{endpoint['id']}"

    assert (await api.delete(path, headers=seller_auth)).status_code == 204

    assert (await api.get(path, headers=seller_auth)).status_code == 404
    assert (await api.get(f"{path}/deliveries", headers=seller_auth)).status_code == 404
    assert (await api.delete(path, headers=seller_auth)).status_code == 404
    assert (await api.get(WEBHOOKS, headers=seller_auth)).json() == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://127.0.0.1/hooks", "127.0.0.1 is a loopback address"),
        ("https://[::1]/hooks", "::1 is a loopback address"),
        ("https://localhost/hooks", "localhost (127.0.0.1) is a loopback address"),
        ("https://10.0.0.7/hooks", "10.0.0.7 is a private address"),
        ("https://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
        ("https://[::ffff:10.0.0.7]/hooks", "::ffff:10.0.0.7 is a private address"),
        ("https://0.0.0.0/hooks", "0.0.0.0 is an unspecified address"),
        ("http://93.184.215.14/hooks", "must use https"),
    ],
)
async def test_private_addresses_and_plain_http_are_refused_unless_allowed(
    refusing_api: httpx.AsyncClient, seller_auth: dict[str, str], url: str, reason: str
) -> None:
    response = await register(refusing_api, seller_auth, url)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith(f"body.url: {reason}")
    assert (await refusing_api.get(WEBHOOKS, headers=seller_auth)).json() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://hooks.acme.example/", "event_types": ["shipment.lost"]}, "event_types"),
        ({"url": "https://hooks.acme.example/", "event_types": []}, "event_types"),
        ({"url": "ftp://hooks.acme.example/", "event_types": ["shipment.placed"]}, "url"),
        ({"url": "https://" + "a" * 2000, "event_types": ["shipment.placed"]}, "url"),
    ],
)
async def test_invalid_registrations_are_refused_naming_the_field(
    api: httpx.AsyncClient, seller_auth: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = await api.post(WEBHOOKS, json=body, headers=seller_auth)

    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(f"body.{field}")


async def test_a_seller_has_at_most_ten_endpoints(
    api: httpx.AsyncClient, seller_auth: dict[str, str], receiver: Receiver
) -> None:
    for _ in range(10):
        await registered(api, seller_auth, receiver.url)

    response = await register(api, seller_auth, receiver.url)

    assert response.status_code == 422
    assert "at most 10" in response.json()["detail"]
    assert len(receiver.received) == 10  # the refused one got no handshake


async def test_a_failing_endpoint_is_retried_with_the_same_id_and_body_until_it_accepts(
    api: httpx.AsyncClient,
    shipper: Shipper,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
    temporal: Client,
    delivery_queue: str,
) -> None:
    endpoint = await registered(api, shipper.auth, receiver.url)
    [delivery_id] = await enqueue(sessions, shipper)
    receiver.failures_to_come = 2

    await deliver(temporal, delivery_queue, delivery_id)

    tries = receiver.deliveries
    assert len(tries) == 3
    assert {received.headers["webhook-id"] for received in tries} == {str(delivery_id)}
    assert len({received.body for received in tries}) == 1
    message = Webhook(endpoint["secret"]).verify(tries[-1].body, tries[-1].headers)
    assert message["type"] == "shipment.delivered"
    assert message["data"] == {"shipment_id": str(shipper.shipment_id), "status": "delivered"}
    [logged] = await log(api, shipper.auth, endpoint["id"])
    assert logged["id"] == str(delivery_id)
    assert logged["status"] == "delivered"
    assert logged["attempts"] == 3
    assert logged["last_response_status"] == 204
    assert logged["payload"] == message


async def test_an_unverified_endpoint_gets_the_handshake_before_its_first_delivery(
    api: httpx.AsyncClient,
    shipper: Shipper,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
    temporal: Client,
    delivery_queue: str,
) -> None:
    receiver.echoes_challenges = False
    endpoint = await registered(api, shipper.auth, receiver.url)
    receiver.echoes_challenges = True
    [delivery_id] = await enqueue(sessions, shipper)

    await deliver(temporal, delivery_queue, delivery_id)

    assert [received.is_handshake for received in receiver.received] == [True, True, False]
    stored = await api.get(f"{WEBHOOKS}/{endpoint['id']}", headers=shipper.auth)
    assert stored.json()["verified"] is True
    [logged] = await log(api, shipper.auth, endpoint["id"])
    assert (logged["status"], logged["attempts"]) == ("delivered", 1)


async def test_a_deleted_endpoints_pending_delivery_ends_cancelled_without_a_request(
    api: httpx.AsyncClient,
    shipper: Shipper,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
    temporal: Client,
    delivery_queue: str,
) -> None:
    endpoint = await registered(api, shipper.auth, receiver.url)
    [delivery_id] = await enqueue(sessions, shipper)
    await api.delete(f"{WEBHOOKS}/{endpoint['id']}", headers=shipper.auth)

    with pytest.raises(WorkflowFailureError):
        await deliver(temporal, delivery_queue, delivery_id)

    assert receiver.deliveries == []
    async with sessions() as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
    assert delivery is not None
    assert delivery.status is DeliveryStatus.CANCELLED
    assert delivery.attempts == 0


async def test_a_delivery_never_accepted_before_its_deadline_is_logged_failed(
    api: httpx.AsyncClient,
    shipper: Shipper,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
    temporal: Client,
    delivery_queue: str,
) -> None:
    endpoint = await registered(api, shipper.auth, receiver.url)
    [delivery_id] = await enqueue(sessions, shipper)
    receiver.failures_to_come = 100

    # Tries at 0 s and 1 s; the next would come at 3 s, after the deadline.
    with pytest.raises(WorkflowFailureError):
        await deliver(temporal, delivery_queue, delivery_id, deadline=timedelta(seconds=2.5))

    [logged] = await log(api, shipper.auth, endpoint["id"])
    assert logged["status"] == "failed"
    assert logged["attempts"] == len(receiver.deliveries) == 2
    assert logged["last_response_status"] == 500
    assert "500" in logged["last_error"]


async def test_events_go_once_to_the_endpoints_subscribed_to_them(
    api: httpx.AsyncClient,
    shipper: Shipper,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    delivered_only = await registered(api, shipper.auth, receiver.url)
    everything = await registered(
        api, shipper.auth, receiver.url, [event.value for event in WebhookEventType]
    )
    occurred_at = datetime.now(UTC)

    first = await enqueue(sessions, shipper, DELIVERED, occurred_at)
    again = await enqueue(sessions, shipper, DELIVERED, occurred_at)  # a retried activity
    in_transit = await enqueue(sessions, shipper, WebhookEventType.SHIPMENT_IN_TRANSIT)

    assert len(first) == 2
    assert again == first
    assert len(in_transit) == 1
    assert len(await log(api, shipper.auth, delivered_only["id"])) == 1
    types = [item["event_type"] for item in await log(api, shipper.auth, everything["id"])]
    assert types == ["shipment.in_transit", "shipment.delivered"]


async def test_the_delivery_log_pages_newest_first(
    api: httpx.AsyncClient,
    shipper: Shipper,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    endpoint = await registered(api, shipper.auth, receiver.url)
    ids = [(await enqueue(sessions, shipper))[0] for _ in range(3)]
    path = f"{WEBHOOKS}/{endpoint['id']}/deliveries"

    first = (await api.get(path, params={"limit": 2}, headers=shipper.auth)).json()
    second = (await api.get(first["next"], headers=shipper.auth)).json()

    assert [item["id"] for item in first["items"]] == [str(ids[2]), str(ids[1])]
    assert [item["id"] for item in second["items"]] == [str(ids[0])]
    assert second["next"] is None
    assert all(item["status"] == "pending" for item in first["items"] + second["items"])
    bad = await api.get(path, params={"cursor": "nonsense"}, headers=shipper.auth)
    assert bad.status_code == 422


async def test_a_shipment_s_life_reaches_the_seller_s_endpoint_signed(
    api: httpx.AsyncClient,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    receiver: Receiver,
) -> None:
    every_type = [event_type.value for event_type in WebhookEventType]
    endpoint = await registered(api, seller_auth, receiver.url, every_type)
    shipment_id = (await created(api, seller_auth))["id"]
    await deliver_shipment(api, partner_auth, shipment_id)

    received = await eventually(lambda: _deliveries(receiver), lambda found: len(found) >= 5)
    signer = Webhook(endpoint["secret"])
    events = sorted(
        (signer.verify(delivery.body, delivery.headers) for delivery in received),
        key=lambda event: (event["data"]["sequence"], event["type"]),
    )
    assert [event["type"] for event in events] == [
        "shipment.placed",
        "shipment.assigned",
        "shipment.in_transit",
        "shipment.out_for_delivery",
        "shipment.delivered",
    ]
    assert all(event["data"]["shipment_id"] == shipment_id for event in events)
    assert len({delivery.headers["webhook-id"] for delivery in received}) == 5
    await eventually(
        lambda: log(api, seller_auth, endpoint["id"]),
        lambda items: [item["status"] for item in items] == ["delivered"] * 5,
    )


async def _deliveries(receiver: Receiver) -> list[Received]:
    return receiver.deliveries
