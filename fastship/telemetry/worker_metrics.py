"""The worker's own counters, recorded on the default Temporal runtime's meter.

The worker process makes that runtime serve Prometheus metrics on `WORKER_METRICS_PORT`, so these
counters appear there beside the SDK's own series; anywhere else the meter is a no-op.
"""

from enum import StrEnum
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from models.webhooks import DeliveryStatus

ACTIVITY_OUTCOMES = "fastship_activity_outcomes"
NOTIFICATIONS = "fastship_notifications"
WEBHOOK_DELIVERIES = "fastship_webhook_deliveries"


class ActivityOutcome(StrEnum):
    COMPLETED = "completed"
    RETRIED = "retried"  # failed; Temporal tries again
    FAILED = "failed"  # failed for good


class NotificationOutcome(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"
    PROVIDER_UNAVAILABLE = "provider_unavailable"


def metrics_runtime(port: int) -> Runtime:
    """A runtime serving Prometheus metrics on every interface at `port`."""
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(f"0.0.0.0:{port}")))


def _count(name: str, description: str, labels: dict[str, str]) -> None:
    meter = Runtime.default().metric_meter
    meter.create_counter(name, description).add(1, labels)


def count_notification(channel: str, outcome: NotificationOutcome) -> None:
    labels = {"channel": channel, "outcome": outcome}
    _count(NOTIFICATIONS, "Notifications by channel and outcome", labels)


def count_webhook_delivery(outcome: DeliveryStatus) -> None:
    """A try's outcome: delivered, pending (not accepted; tried again), failed or cancelled."""
    _count(WEBHOOK_DELIVERIES, "Webhook delivery tries by outcome", {"outcome": outcome})


def _will_retry(error: Exception) -> bool:
    info = activity.info()
    policy = info.retry_policy
    if isinstance(error, ApplicationError) and error.non_retryable:
        return False
    if policy is None:
        return True
    if policy.maximum_attempts and info.attempt >= policy.maximum_attempts:
        return False
    kind = error.type if isinstance(error, ApplicationError) else type(error).__name__
    return kind not in (policy.non_retryable_error_types or ())


def _count_activity(name: str, outcome: ActivityOutcome) -> None:
    labels = {"activity": name, "outcome": outcome}
    _count(ACTIVITY_OUTCOMES, "Activity runs by outcome", labels)


class _CountOutcomes(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        name = activity.info().activity_type
        try:
            result = await super().execute_activity(input)
        except Exception as error:
            _count_activity(
                name, ActivityOutcome.RETRIED if _will_retry(error) else ActivityOutcome.FAILED
            )
            raise
        _count_activity(name, ActivityOutcome.COMPLETED)
        return result


class ActivityOutcomes(Interceptor):
    """Counts every activity run (local ones too) as completed, retried or failed."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _CountOutcomes(next)
