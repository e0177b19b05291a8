"""Inputs and outputs of workflows, their messages and activities.

No secrets here: delivery codes and review tokens are made and used inside activities only.
"""

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from models.domain import Language, Role, ShipmentStatus


class ActivityName(StrEnum):
    PLACE_SHIPMENT = "place_shipment"
    ASSIGN_PARTNER = "assign_partner"
    RECORD_EVENT = "record_shipment_event"
    FLAG_SHIPMENT = "flag_shipment"
    STORE_REVIEW = "store_review"
    REMIND_REVIEW = "remind_review"
    WAKE_WAITING_SHIPMENTS = "wake_waiting_shipments"
    SEND_NOTIFICATIONS = "send_notifications"
    SEND_ACCOUNT_EMAIL = "send_account_email"
    SEND_PASSWORD_RESET = "send_password_reset"  # noqa: S105 - a name, not a password
    EXPIRE_UNVERIFIED_ACCOUNT = "expire_unverified_account"
    DELIVER_WEBHOOK = "deliver_webhook"


class Refusal(StrEnum):
    """Why a command was refused: the `type` of the ApplicationError the API turns into HTTP."""

    ZIP_NOT_SERVED = "ZipNotServed"
    IDEMPOTENCY_KEY_REUSED = "IdempotencyKeyReused"
    NOT_FOUND = "NotFound"  # not the owner, or not the assigned partner
    INVALID_TRANSITION = "InvalidTransition"
    ALREADY_CANCELLED = "AlreadyCancelled"
    REASON_REQUIRED = "ReasonRequired"
    CODE_NOT_VERIFIED = "DeliveryCodeNotVerified"
    ALREADY_REVIEWED = "AlreadyReviewed"
    NOT_DELIVERED = "NotDelivered"


class ShipmentTimings(BaseModel):
    """Durations from settings, fixed per shipment when its workflow starts."""

    assignment_deadline: timedelta
    assignment_retry: timedelta
    pickup_deadline: timedelta
    delivery_estimate: timedelta
    review_reminder: timedelta
    review_window: timedelta
    notification_retry_deadline: timedelta = timedelta(hours=24)
    webhook_retry_deadline: timedelta = timedelta(hours=24)
    send_attempt_timeout: timedelta = timedelta(minutes=1)
    database_step_timeout: timedelta = timedelta(seconds=10)


class Outgoing(BaseModel):
    """What a database step stored to be sent: notifications and webhook deliveries.

    The workflow sends them with activities of their own, retried apart from the step.
    """

    notifications: list[uuid.UUID] = []
    webhooks: list[uuid.UUID] = []
    summary: str = ""  # for the Temporal UI, e.g. "shipped (email, sms)"

    def __iadd__(self, other: "Outgoing") -> "Outgoing":
        self.notifications += other.notifications
        self.webhooks += other.webhooks
        self.summary = "; ".join(part for part in (self.summary, other.summary) if part)
        return self


class SendNotifications(BaseModel):
    notification_ids: list[uuid.UUID]


class ShipmentOrder(BaseModel):
    """What the seller asked for, as validated by the API."""

    content: str
    weight: Decimal
    destination_zip: str
    client_contact_email: str
    client_contact_phone: str | None = None
    tags: list[str] = []
    language: Language = Language.EN  # the recipient's


class ShipmentWorkflowInput(BaseModel):
    shipment_id: uuid.UUID
    seller_id: uuid.UUID
    idempotency_key: str | None
    fingerprint: str
    order: ShipmentOrder
    timings: ShipmentTimings


class CreationCheck(BaseModel):
    """The create's Update argument: a retried create's body must fingerprint the same. The
    Update answers once the shipment is stored and assignment was tried."""

    fingerprint: str


class ShipmentState(BaseModel):
    status: ShipmentStatus
    partner_id: uuid.UUID | None
    needs_attention: bool


class NewShipment(BaseModel):
    """The shipment to store, the first step of its workflow (`place_shipment`)."""

    shipment_id: uuid.UUID
    seller_id: uuid.UUID
    idempotency_key: str | None
    fingerprint: str
    order: ShipmentOrder
    placed_at: datetime
    estimated_delivery: datetime
    sequence: int  # of the `placed` event; an assignment is recorded as the next one


class StoredShipment(BaseModel):
    """What the first step stored: the status, the partner it found, what it queued to send."""

    status: ShipmentStatus  # `placed`, unless a rerun finds the shipment further along
    partner_id: uuid.UUID | None
    events_recorded: int
    outgoing: Outgoing = Outgoing()


class AssignPartner(BaseModel):
    shipment_id: uuid.UUID
    sequence: int
    change_id: str  # made by the workflow: a retry of this attempt is recognised by it
    occurred_at: datetime
    replacing: uuid.UUID | None = None  # the partner who missed the pickup deadline


class Assignment(BaseModel):
    partner_id: uuid.UUID | None
    changed: bool
    outgoing: Outgoing = Outgoing()


class ShipmentEventRecord(BaseModel):
    """A timeline event to store, with the status change it carries (if any).

    `change_id` names the change: the Update's id, or an id the workflow made for its own step.
    """

    shipment_id: uuid.UUID
    sequence: int
    change_id: str
    status: ShipmentStatus
    actor: str
    occurred_at: datetime
    description: str | None = None
    location_zip: str | None = None


class Recorded(BaseModel):
    """The outcome of recording an event; `recorded` is False for a retry that changed nothing."""

    recorded: bool
    outgoing: Outgoing = Outgoing()


class FlagReason(StrEnum):
    ESTIMATE_PASSED = "estimate_passed"
    REASSIGNED_TOO_OFTEN = "reassigned_too_often"


class FlagShipment(BaseModel):
    shipment_id: uuid.UUID
    reason: FlagReason


class PartnerReport(BaseModel):
    """A partner's status change or location scan. A `delivered` report's code was checked."""

    partner_id: uuid.UUID
    status: ShipmentStatus | None = None
    location_zip: str | None = None
    description: str | None = None


class CancelRequest(BaseModel):
    seller_id: uuid.UUID
    reason: str | None = None


class ReviewSubmission(BaseModel):
    rating: int
    comment: str | None = None


class StoreReview(BaseModel):
    shipment_id: uuid.UUID
    rating: int
    comment: str | None = None


class ReviewReminder(BaseModel):
    shipment_id: uuid.UUID
    delivered_at: datetime


class WakeWaitingShipments(BaseModel):
    """Capacity freed at this partner: wake the shipments waiting in its zips."""

    partner_id: uuid.UUID


class AccountEmailKind(StrEnum):
    VERIFY = "verify"
    VERIFY_REMINDER = "verify_reminder"


class AccountRef(BaseModel):
    role: Role
    account_id: uuid.UUID


class AccountEmail(AccountRef):
    kind: AccountEmailKind


class EmailVerificationInput(AccountRef):
    """Durations from settings: the reminder after `remind_after`, expiry after `expire_after`."""

    remind_after: timedelta
    expire_after: timedelta
    send_deadline: timedelta


class PasswordResetRequest(BaseModel):
    role: Role
    email: str
    request_id: uuid.UUID
    requested_at: datetime
    send_deadline: timedelta  # no use sending a link after it expired
