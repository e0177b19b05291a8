"""How a seller's webhook delivery is retried: the workflow schedules it with this policy, and
the activity ends it for good with one of these failures. No ORM here: workflows import it."""

from datetime import timedelta
from enum import StrEnum

from temporalio.common import RetryPolicy


class WebhookFailure(StrEnum):
    """The `type` of the ApplicationError ending a delivery for good."""

    DELIVERY_NOT_FOUND = "WebhookDeliveryNotFound"
    ENDPOINT_DELETED = "WebhookEndpointDeleted"
    RETRIES_EXHAUSTED = "WebhookRetriesExhausted"


# Run with a schedule-to-close of `Settings.webhook_retry_deadline`: about 12 tries in the first
# hour, then one an hour. The activity marks the delivery failed on the last try that fits.
WEBHOOK_RETRY_POLICY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(hours=1),
    non_retryable_error_types=list(WebhookFailure),
)
