"""Sends stored notifications, each exactly once however often the activity is retried.

Each message is sent under its row's lock and its outcome recorded before the lock is released,
so a retry (or a second sender) finds it sent and moves on. Provider 429/5xx leave it pending and
fail the activity, which Temporal retries with backoff; other refusals are recorded as final.
Without provider credentials a message is rendered into the local outbox instead.
"""

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.notifications.context import message_context
from activities.notifications.providers import (
    Email,
    ProviderRefused,
    ProviderUnavailable,
    SendGridEmail,
    Sms,
    TwilioSms,
)
from activities.notifications.rendering import RenderedMessage, Template, render
from fastship.settings import Settings
from fastship.telemetry.worker_metrics import NotificationOutcome, count_notification
from models.activity_steps import NotificationSteps
from models.domain import Channel
from models.notifications import Notification, NotificationStatus
from models.workflow_io import ActivityName, SendNotifications
from repositories import notifications, outbox

log = structlog.get_logger(__name__)

TWILIO_STATUS_PATH = "/api/v1/notifications/twilio/status"
# A message holds a database connection while its provider answers: bound how many do at once, so a
# slow provider cannot take the connections the shipments' own steps need.
CONCURRENT_SENDS = 8


@dataclass(frozen=True)
class _Unavailable:
    detail: str
    retry_after: float | None


class NotificationSender:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = sessions
        self._settings = settings
        self._email = SendGridEmail(settings) if settings.sends_email else None
        self._sms = TwilioSms(settings) if settings.sends_sms else None
        self._slots = asyncio.Semaphore(CONCURRENT_SENDS)

    async def send(self, notification_ids: Sequence[uuid.UUID]) -> None:
        """Sends every pending one; raises a retryable error if a provider could not take some."""
        unavailable = [
            outcome
            for notification_id in notification_ids
            if (outcome := await self._send_one(notification_id)) is not None
        ]
        if unavailable:
            delays = [outcome.retry_after for outcome in unavailable if outcome.retry_after]
            raise ApplicationError(
                f"{len(unavailable)} message(s) not accepted yet: {unavailable[0].detail}",
                type="ProviderUnavailable",
                next_retry_delay=timedelta(seconds=max(delays)) if delays else None,
            )

    async def _send_one(self, notification_id: uuid.UUID) -> _Unavailable | None:
        async with self._slots, self._sessions.begin() as session:
            locked = await notifications.lock(session, notification_id)
            if locked is None or locked.notification.status != NotificationStatus.PENDING:
                return None  # sent (or settled) by an earlier attempt
            notification = locked.notification
            channel = notification.channel
            if channel is Channel.SMS and await notifications.is_opted_out(
                session, notification.recipient
            ):
                await notifications.suppress(session, notification, "the number opted out (STOP)")
                count_notification(channel, NotificationOutcome.SUPPRESSED)
                return None
            context = await message_context(session, self._settings, locked)
            if context is None:
                await notifications.suppress(session, notification, "no longer current")
                count_notification(channel, NotificationOutcome.SUPPRESSED)
                return None
            message = render(
                Template(notification.template), channel, notification.language, context
            )
            return await self._deliver(session, notification, channel, message)

    async def _deliver(
        self,
        session: AsyncSession,
        notification: Notification,
        channel: Channel,
        message: RenderedMessage,
    ) -> _Unavailable | None:
        try:
            provider, message_id = await self._hand_over(session, notification, channel, message)
        except ProviderRefused as refused:
            log.warning("provider refused a message", key=notification.idempotency_key)
            await notifications.record_attempt(
                session, notification, NotificationStatus.FAILED, error=refused.detail
            )
            count_notification(channel, NotificationOutcome.FAILED)
            return None
        except ProviderUnavailable as unavailable:
            await notifications.record_attempt(
                session, notification, NotificationStatus.PENDING, error=unavailable.detail
            )
            count_notification(channel, NotificationOutcome.PROVIDER_UNAVAILABLE)
            return _Unavailable(unavailable.detail, unavailable.retry_after)
        await notifications.record_attempt(
            session,
            notification,
            NotificationStatus.SENT,
            provider=provider,
            provider_message_id=message_id,
            sent_at=datetime.now(UTC),
        )
        count_notification(channel, NotificationOutcome.SENT)
        return None

    async def _hand_over(
        self,
        session: AsyncSession,
        notification: Notification,
        channel: Channel,
        message: RenderedMessage,
    ) -> tuple[str, str]:
        """Gives the message to its provider; returns the provider and its message id."""
        if channel is Channel.EMAIL and self._email is not None:
            assert message.subject is not None
            assert message.html is not None
            email = Email(notification.recipient, message.subject, message.text, message.html)
            return "sendgrid", await self._email.send(email)
        if channel is Channel.SMS and self._sms is not None:
            callback = f"{self._settings.public_url}{TWILIO_STATUS_PATH}"
            return "twilio", await self._sms.send(
                Sms(notification.recipient, message.text), callback
            )
        stored = await outbox.store(
            session, notification, message.subject, message.text, message.html
        )
        return "outbox", str(stored)


class NotificationActivities(NotificationSteps):
    def __init__(self, sender: NotificationSender) -> None:
        self._sender = sender

    @activity.defn(name=ActivityName.SEND_NOTIFICATIONS)
    async def send_notifications(self, request: SendNotifications) -> None:
        await self._sender.send(request.notification_ids)
