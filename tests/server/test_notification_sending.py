"""Sending through SendGrid and Twilio (their SDKs, against local fake providers): one message per
key however often a send is retried, provider failures classified, delivery receipts and STOP."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Worker

from activities.notifications.rendering import Template
from activities.notifications.sending import (
    TWILIO_STATUS_PATH,
    NotificationActivities,
    NotificationSender,
)
from fastship.settings import Settings
from fastship.temporal import connect_temporal
from models.domain import Channel
from models.notifications import Notification
from models.workflow_ids import shipment_workflow_id
from models.workflow_io import ActivityName, SendNotifications
from repositories import notifications
from repositories.notifications import NewNotification
from tests.fake_providers import FakeSendGrid, FakeTwilio, twilio_signature
from tests.helpers import eventually, serve_api
from tests.shipments import VALID, created
from worker.main import build_worker
from workflows.shipment import NOTIFICATION_RETRY

PHONE = VALID["client_contact_phone"]
INBOUND_PATH = "/api/v1/notifications/twilio/inbound"
SendWithRetries = Callable[[list[uuid.UUID]], Awaitable[None]]


@pytest.fixture
def with_providers(settings: Settings, sendgrid: FakeSendGrid, twilio: FakeTwilio) -> Settings:
    return twilio.settings(sendgrid.settings(settings))


@pytest.fixture
def sender(
    sessions: async_sessionmaker[AsyncSession], with_providers: Settings
) -> NotificationSender:
    return NotificationSender(sessions, with_providers)


@pytest.fixture
async def shipment_id(
    api: httpx.AsyncClient, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> uuid.UUID:
    return uuid.UUID((await created(api, seller_auth))["id"])


async def delivered_messages(
    sessions: async_sessionmaker[AsyncSession], shipment_id: uuid.UUID
) -> list[uuid.UUID]:
    """A `delivered` email and SMS to the recipient, stored as the shipment activity would."""
    params = {"delivered_at": datetime.now(UTC).isoformat()}
    recipients = {Channel.EMAIL: VALID["client_contact_email"], Channel.SMS: PHONE}
    async with sessions.begin() as session:
        return await notifications.add(
            session,
            [
                NewNotification(
                    key=f"test:{uuid.uuid4()}:{channel}",
                    template=Template.DELIVERED,
                    channel=channel,
                    recipient=recipient,
                    language="en",
                    shipment_id=shipment_id,
                    params=params,
                )
                for channel, recipient in recipients.items()
            ],
        )


async def stored(
    sessions: async_sessionmaker[AsyncSession], ids: list[uuid.UUID]
) -> list[Notification]:
    async with sessions() as session:
        return [
            notification for id_ in ids if (notification := await session.get(Notification, id_))
        ]


async def test_email_and_sms_go_through_the_providers_once(
    sessions: async_sessionmaker[AsyncSession],
    sender: NotificationSender,
    sendgrid: FakeSendGrid,
    twilio: FakeTwilio,
    shipment_id: uuid.UUID,
    with_providers: Settings,
) -> None:
    ids = await delivered_messages(sessions, shipment_id)

    await sender.send(ids)
    await sender.send(ids)  # a retried activity

    [email] = sendgrid.messages
    assert email.to == VALID["client_contact_email"]
    assert email.subject == "Your parcel has been delivered"
    assert f"{with_providers.public_url}/review/" in email.text
    assert f"{with_providers.public_url}/review/" in email.html
    [sms] = twilio.messages
    assert sms.to == PHONE
    assert "delivered" in sms.body
    assert sms.status_callback == f"{with_providers.public_url}{TWILIO_STATUS_PATH}"
    email_row, sms_row = await stored(sessions, ids)
    assert (email_row.status, email_row.provider, email_row.provider_message_id) == (
        "sent",
        "sendgrid",
        email.id,
    )
    assert (sms_row.status, sms_row.provider, sms_row.provider_message_id) == (
        "sent",
        "twilio",
        sms.sid,
    )
    assert (email_row.attempts, sms_row.attempts) == (1, 1)


@workflow.defn(sandboxed=False)
class SendOnce:
    """Sends as the shipment workflow does: the same activity, retry policy and timeouts."""

    @workflow.run
    async def run(self, request: SendNotifications) -> None:
        await workflow.execute_activity(
            ActivityName.SEND_NOTIFICATIONS,
            request,
            start_to_close_timeout=timedelta(minutes=1),
            schedule_to_close_timeout=timedelta(minutes=1),
            retry_policy=NOTIFICATION_RETRY,
        )


@pytest.fixture
async def send_with_retries(
    temporal: Client, sender: NotificationSender
) -> AsyncIterator[SendWithRetries]:
    queue = f"notifications-{uuid.uuid4()}"
    activities = NotificationActivities(sender)
    async with Worker(
        temporal,
        task_queue=queue,
        workflows=[SendOnce],
        activities=[activities.send_notifications],
    ):

        async def send(ids: list[uuid.UUID]) -> None:
            await temporal.execute_workflow(
                SendOnce.run,
                SendNotifications(notification_ids=ids),
                id=f"send-{uuid.uuid4()}",
                task_queue=queue,
            )

        yield send


async def test_a_provider_500_is_retried_and_sends_one_message(
    sessions: async_sessionmaker[AsyncSession],
    send_with_retries: SendWithRetries,
    sendgrid: FakeSendGrid,
    twilio: FakeTwilio,
    shipment_id: uuid.UUID,
) -> None:
    ids = await delivered_messages(sessions, shipment_id)
    sendgrid.fail_next(500)

    await send_with_retries(ids)

    assert len(sendgrid.requests) == 2
    assert len(sendgrid.messages) == 1
    assert len(twilio.messages) == 1  # taken on the first attempt, not sent again
    email_row, sms_row = await stored(sessions, ids)
    assert (email_row.status, email_row.attempts) == ("sent", 2)
    assert sms_row.attempts == 1


async def test_a_provider_429_is_retried_after_its_retry_after(
    sessions: async_sessionmaker[AsyncSession],
    send_with_retries: SendWithRetries,
    twilio: FakeTwilio,
    shipment_id: uuid.UUID,
) -> None:
    ids = await delivered_messages(sessions, shipment_id)
    twilio.fail_next(429, retry_after=2)

    started = time.monotonic()
    await send_with_retries(ids)

    assert time.monotonic() - started >= 2
    assert len(twilio.requests) == 2
    assert len(twilio.messages) == 1


async def test_a_provider_400_is_final_and_recorded(
    sessions: async_sessionmaker[AsyncSession],
    sender: NotificationSender,
    sendgrid: FakeSendGrid,
    twilio: FakeTwilio,
    shipment_id: uuid.UUID,
) -> None:
    ids = await delivered_messages(sessions, shipment_id)
    sendgrid.fail_next(400, message="Does not contain a valid address.")

    await sender.send(ids)  # no error: nothing to retry
    await sender.send(ids)

    assert len(sendgrid.requests) == 1
    email_row, sms_row = await stored(sessions, ids)
    assert email_row.status == "failed"
    assert email_row.last_error == "Does not contain a valid address."
    assert sms_row.status == "sent"


async def test_a_send_stopped_midway_sends_nothing_twice_when_retried(
    sessions: async_sessionmaker[AsyncSession],
    sender: NotificationSender,
    sendgrid: FakeSendGrid,
    twilio: FakeTwilio,
    shipment_id: uuid.UUID,
) -> None:
    """The email was accepted and recorded; the attempt dies while Twilio has the SMS."""
    ids = await delivered_messages(sessions, shipment_id)
    twilio.hold()
    attempt = asyncio.create_task(sender.send(ids))
    await twilio.until_held()
    attempt.cancel()
    with pytest.raises(asyncio.CancelledError):
        await attempt
    twilio.fail_next(500)  # what the dead attempt's request gets, too late for anyone
    twilio.release()

    await sender.send(ids)  # Temporal's retry

    assert len(sendgrid.messages) == 1
    assert len(twilio.messages) == 1
    assert [row.status for row in await stored(sessions, ids)] == ["sent", "sent"]


@pytest.fixture
async def twilio_api(with_providers: Settings, worker: None) -> AsyncIterator[httpx.AsyncClient]:
    """The API as Twilio calls it back: configured with the (fake) account's auth token."""
    async with serve_api(with_providers) as client:
        yield client


async def twilio_post(
    api: httpx.AsyncClient,
    settings: Settings,
    path: str,
    params: dict[str, str],
    token: str | None = None,
) -> httpx.Response:
    assert settings.twilio_auth_token is not None
    url = f"{settings.public_url}{path}"
    signature = twilio_signature(
        token or settings.twilio_auth_token.get_secret_value(), url, params
    )
    return await api.post(path, data=params, headers={"X-Twilio-Signature": signature})


async def test_a_delivery_receipt_marks_the_sms_delivered(
    sessions: async_sessionmaker[AsyncSession],
    sender: NotificationSender,
    twilio: FakeTwilio,
    twilio_api: httpx.AsyncClient,
    with_providers: Settings,
    shipment_id: uuid.UUID,
) -> None:
    ids = await delivered_messages(sessions, shipment_id)
    await sender.send(ids)
    [sms] = twilio.messages
    receipt = {"MessageSid": sms.sid, "MessageStatus": "delivered", "To": PHONE}

    forged = await twilio_post(twilio_api, with_providers, TWILIO_STATUS_PATH, receipt, "x" * 32)
    assert forged.status_code == 403
    assert (await stored(sessions, ids))[1].status == "sent"

    signed = await twilio_post(twilio_api, with_providers, TWILIO_STATUS_PATH, receipt)
    assert signed.status_code == 204
    assert (await stored(sessions, ids))[1].status == "delivered"

    failed = receipt | {"MessageStatus": "undelivered", "ErrorCode": "30003"}
    await twilio_post(twilio_api, with_providers, TWILIO_STATUS_PATH, failed)
    row = (await stored(sessions, ids))[1]
    assert (row.status, row.last_error) == ("failed", "Twilio error 30003")


async def test_after_stop_no_sms_goes_to_the_number_until_start(
    sessions: async_sessionmaker[AsyncSession],
    sender: NotificationSender,
    sendgrid: FakeSendGrid,
    twilio: FakeTwilio,
    twilio_api: httpx.AsyncClient,
    with_providers: Settings,
    shipment_id: uuid.UUID,
) -> None:
    stop = await twilio_post(
        twilio_api, with_providers, INBOUND_PATH, {"From": PHONE, "Body": " stop "}
    )
    assert stop.status_code == 200
    assert stop.headers["content-type"].startswith("application/xml")

    ids = await delivered_messages(sessions, shipment_id)
    await sender.send(ids)

    assert twilio.requests == []
    assert len(sendgrid.messages) == 1  # the email still goes
    email_row, sms_row = await stored(sessions, ids)
    assert (email_row.status, sms_row.status) == ("sent", "suppressed")
    assert sms_row.last_error == "the number opted out (STOP)"

    await twilio_post(twilio_api, with_providers, INBOUND_PATH, {"From": PHONE, "Body": "START"})
    await sender.send(await delivered_messages(sessions, shipment_id))
    assert len(twilio.messages) == 1


async def test_an_unsigned_inbound_stop_changes_nothing(
    sessions: async_sessionmaker[AsyncSession],
    sender: NotificationSender,
    twilio: FakeTwilio,
    twilio_api: httpx.AsyncClient,
    shipment_id: uuid.UUID,
) -> None:
    response = await twilio_api.post(INBOUND_PATH, data={"From": PHONE, "Body": "STOP"})
    assert response.status_code == 403

    await sender.send(await delivered_messages(sessions, shipment_id))
    assert len(twilio.messages) == 1


async def test_twilio_callbacks_are_absent_without_twilio(api: httpx.AsyncClient) -> None:
    response = await api.post(INBOUND_PATH, data={"From": PHONE, "Body": "STOP"})
    assert response.status_code == 404


@pytest.fixture
async def providers_stack(
    own_temporal: Settings,
    sendgrid: FakeSendGrid,
    twilio: FakeTwilio,
    sessions: async_sessionmaker[AsyncSession],
    redis: Redis,
) -> AsyncIterator[tuple[httpx.AsyncClient, Client]]:
    """The API and a worker that send through the fake providers, on a Temporal of their own."""
    settings = twilio.settings(sendgrid.settings(own_temporal))
    temporal = await connect_temporal(settings)
    async with build_worker(temporal, sessions, settings, redis), serve_api(settings) as api:
        yield api, temporal


async def emails_accepted(sendgrid: FakeSendGrid, count: int) -> None:
    async def accepted() -> int:
        return len(sendgrid.messages)

    await eventually(accepted, lambda accepted: accepted == count)


async def scheduled_sends(temporal: Client, shipment_id: str) -> int:
    """How many `send_notifications` activities the shipment's history scheduled."""
    handle = temporal.get_workflow_handle(shipment_workflow_id(uuid.UUID(shipment_id)))
    history = await handle.fetch_history()
    return sum(
        event.activity_task_scheduled_event_attributes.activity_type.name
        == ActivityName.SEND_NOTIFICATIONS
        for event in history.events
    )


async def test_a_create_hands_its_messages_over_before_it_answers(
    providers_stack: tuple[httpx.AsyncClient, Client],
    sendgrid: FakeSendGrid,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
) -> None:
    """Sent by the workflow task that stored them, once each, and no activity is scheduled."""
    api, temporal = providers_stack
    shipment = await created(api, seller_auth)

    recipients = [email.to for email in sendgrid.messages]  # the recipient's and the partner's
    assert len(recipients) == 2
    assert VALID["client_contact_email"] in recipients
    assert await scheduled_sends(temporal, shipment["id"]) == 0


async def test_messages_a_provider_refused_at_first_are_sent_by_a_scheduled_activity(
    providers_stack: tuple[httpx.AsyncClient, Client],
    sendgrid: FakeSendGrid,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
) -> None:
    api, temporal = providers_stack
    sendgrid.fail_next(503, count=2)  # both emails of the first attempt
    shipment = await created(api, seller_auth)
    await emails_accepted(sendgrid, 2)
    assert len(sendgrid.requests) == 4  # each email refused once, then accepted once
    assert await scheduled_sends(temporal, shipment["id"]) == 1


async def test_a_provider_that_holds_the_first_attempt_delays_a_create_by_seconds_only(
    providers_stack: tuple[httpx.AsyncClient, Client],
    sendgrid: FakeSendGrid,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
) -> None:
    """The workflow task waiting on the local attempt reports its progress (the create's answer
    among it) before its timeout; the held email is still sent once."""
    api, _ = providers_stack
    sendgrid.hold()
    started = time.monotonic()
    shipment = await created(api, seller_auth)
    waited = time.monotonic() - started
    sendgrid.release()
    await emails_accepted(sendgrid, 2)
    assert waited < 10, f"the create waited {waited:.1f} s"
    assert shipment["status"] == "placed"
    assert len(sendgrid.requests) == 2
