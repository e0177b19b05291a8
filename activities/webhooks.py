"""Delivering one webhook message: each try is one run of `deliver_webhook`.

Temporal retries it with `WEBHOOK_RETRY_POLICY` until it is accepted or its schedule-to-close
deadline passes; the last try that fits marks the delivery failed. No transaction stays open
across an HTTP call: the delivery is read, then each outcome written, in short transactions.
"""

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from fastship.settings import Settings
from fastship.telemetry.worker_metrics import count_webhook_delivery
from fastship.webhook_destinations import RefusedDestination, resolve_destination
from fastship.webhook_sender import Answer, encode_body, send, verify_endpoint
from models.activity_steps import WebhookSteps
from models.webhook_retries import WEBHOOK_RETRY_POLICY, WebhookFailure
from models.webhooks import DeliveryStatus
from models.workflow_io import ActivityName
from repositories import webhooks
from repositories.webhooks import DeliveryToSend

NOT_ACCEPTED = "WebhookNotAccepted"  # retried


def _final(failure: WebhookFailure, message: str) -> ApplicationError:
    return ApplicationError(message, type=failure, non_retryable=True)


def _is_last_try() -> bool:
    """Whether the retry policy leaves no later try before the schedule-to-close deadline."""
    info = activity.info()
    policy = info.retry_policy or WEBHOOK_RETRY_POLICY
    if policy.maximum_attempts and info.attempt >= policy.maximum_attempts:
        return True
    if info.schedule_to_close_timeout is None:
        return False
    # Temporal's own rule: the interval grows from `initial_interval`, capped at
    # `maximum_interval` (100 times the initial one when unset).
    cap = policy.maximum_interval or policy.initial_interval * 100
    backoff = min(policy.initial_interval * policy.backoff_coefficient ** (info.attempt - 1), cap)
    deadline = info.scheduled_time + info.schedule_to_close_timeout
    return datetime.now(UTC) + backoff >= deadline


class WebhookActivities(WebhookSteps):
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = sessions
        self._settings = settings

    async def _try(self, delivery: DeliveryToSend) -> Answer:
        """Checks where the endpoint resolves now, verifies it if needed, then sends."""
        try:
            destination = await resolve_destination(delivery.url, self._settings)
        except RefusedDestination as exc:
            return Answer(None, f"refused destination: {exc}")
        if not delivery.endpoint_verified:
            handshake = await verify_endpoint(destination, delivery.secret, self._settings)
            if not handshake.accepted:
                return Answer(handshake.status, f"verification failed: {handshake.error}")
            async with self._sessions.begin() as session:
                await webhooks.mark_verified(session, delivery.endpoint_id)
        body = encode_body(delivery.payload)
        return await send(
            destination, delivery.secret, str(delivery.delivery_id), body, self._settings
        )

    @activity.defn(name=ActivityName.DELIVER_WEBHOOK)
    async def deliver_webhook(self, delivery_id: uuid.UUID) -> None:
        """One try: 2xx marks it delivered; anything else is retried (the error says what)."""
        async with self._sessions() as session:
            delivery = await webhooks.delivery_to_send(session, delivery_id)
        if delivery is None:
            raise _final(WebhookFailure.DELIVERY_NOT_FOUND, f"no webhook delivery {delivery_id}")
        if delivery.status is not DeliveryStatus.PENDING:
            return
        if delivery.endpoint_deleted:
            async with self._sessions.begin() as session:
                await webhooks.cancel(session, delivery_id)
            count_webhook_delivery(DeliveryStatus.CANCELLED)
            raise _final(WebhookFailure.ENDPOINT_DELETED, "the webhook endpoint was deleted")

        answer = await self._try(delivery)
        if answer.accepted:
            outcome = DeliveryStatus.DELIVERED
        elif _is_last_try():
            outcome = DeliveryStatus.FAILED
        else:
            outcome = DeliveryStatus.PENDING
        async with self._sessions.begin() as session:
            await webhooks.record_attempt(
                session,
                delivery_id,
                response_status=answer.status,
                error=answer.error,
                status=outcome,
            )
        count_webhook_delivery(outcome)
        if outcome is DeliveryStatus.FAILED:
            raise _final(WebhookFailure.RETRIES_EXHAUSTED, f"gave up: {answer.error}")
        if outcome is DeliveryStatus.PENDING:
            raise ApplicationError(f"not accepted: {answer.error}", type=NOT_ACCEPTED)
