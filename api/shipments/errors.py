"""The shipment refusals: one class each, raised alike by the API's own checks and for the
workflow's refusals (`REFUSALS`), so the same refusal reads the same whoever made it."""

from api.errors import AppError, Conflict, NotFound, Unprocessable
from models.workflow_io import Refusal


class ShipmentNotFound(NotFound):
    """No such shipment, or not one of yours (as its seller or its assigned partner)."""

    code = "shipment-not-found"


class ZipNotServed(Unprocessable):
    """No delivery partner serves the destination zip code: nothing was stored."""

    code = "zip-not-served"


class IdempotencyKeyReused(Unprocessable):
    """This Idempotency-Key was already used with a different request body."""

    code = "idempotency-key-reused"


class InvalidTransition(Conflict):
    """The shipment's status does not allow this change (see the lifecycle in the API docs)."""

    code = "invalid-transition"


class AlreadyCancelled(Conflict):
    """The shipment is already cancelled."""

    code = "already-cancelled"


class ReasonRequired(Unprocessable):
    """A failed delivery attempt needs its reason in `description`."""

    code = "reason-required"


class DeliveryCodeRequired(Unprocessable):
    """Marking a shipment delivered needs the recipient's delivery code."""

    code = "delivery-code-required"


class DeliveryCodeWrong(Unprocessable):
    """The delivery code is wrong; `tries_left` says how many guesses remain."""

    code = "delivery-code-wrong"


class DeliveryCodeLocked(Conflict):
    """Too many wrong codes: record a failed attempt, then go out again for a new code."""

    code = "delivery-code-locked"


class NoValidDeliveryCode(Conflict):
    """The shipment has no valid delivery code: not out for delivery, or the code expired."""

    code = "no-valid-delivery-code"


class DeliveryCodeNotVerified(Unprocessable):
    """The delivery was reported without a checked delivery code."""

    code = "delivery-code-not-verified"


class AlreadyReviewed(Conflict):
    """The shipment has already been reviewed."""

    code = "already-reviewed"


class NotDelivered(Conflict):
    """Only a delivered shipment can be reviewed."""

    code = "not-delivered"


class WorkflowEnded(Conflict):
    """The shipment's workflow has ended: nothing can change any more."""

    code = "shipment-ended"


REFUSALS: dict[Refusal, type[AppError]] = {
    Refusal.ZIP_NOT_SERVED: ZipNotServed,
    Refusal.IDEMPOTENCY_KEY_REUSED: IdempotencyKeyReused,
    Refusal.NOT_FOUND: ShipmentNotFound,
    Refusal.INVALID_TRANSITION: InvalidTransition,
    Refusal.ALREADY_CANCELLED: AlreadyCancelled,
    Refusal.REASON_REQUIRED: ReasonRequired,
    Refusal.CODE_NOT_VERIFIED: DeliveryCodeNotVerified,
    Refusal.ALREADY_REVIEWED: AlreadyReviewed,
    Refusal.NOT_DELIVERED: NotDelivered,
}
