"""What each activity takes and answers, declared apart from its implementation so workflows
call activities by these methods (`workflow.execute_activity_method`) and mypy checks every
argument and result, without importing the implementations (they reach the database).

Each implementation class subclasses its protocol here: mypy checks that it keeps the signatures,
and a unit test that it keeps the activity names.
"""

import uuid
from typing import Protocol

from temporalio import activity

from models.workflow_io import (
    AccountEmail,
    AccountRef,
    ActivityName,
    Assignment,
    AssignPartner,
    FlagShipment,
    NewShipment,
    Outgoing,
    PasswordResetRequest,
    Recorded,
    ReviewReminder,
    SendNotifications,
    ShipmentEventRecord,
    StoredShipment,
    StoreReview,
    WakeWaitingShipments,
)


class ShipmentSteps(Protocol):
    """A shipment's database steps: each one transaction, idempotent for its change."""

    @activity.defn(name=ActivityName.PLACE_SHIPMENT)
    async def place_shipment(self, request: NewShipment) -> StoredShipment:
        """Stores the shipment and tries to assign a partner; refused when no partner serves
        its zip."""
        ...

    @activity.defn(name=ActivityName.ASSIGN_PARTNER)
    async def assign_partner(self, request: AssignPartner) -> Assignment: ...

    @activity.defn(name=ActivityName.RECORD_EVENT)
    async def record_shipment_event(self, event: ShipmentEventRecord) -> Recorded: ...

    @activity.defn(name=ActivityName.FLAG_SHIPMENT)
    async def flag_shipment(self, request: FlagShipment) -> Outgoing: ...

    @activity.defn(name=ActivityName.STORE_REVIEW)
    async def store_review(self, review: StoreReview) -> None: ...

    @activity.defn(name=ActivityName.REMIND_REVIEW)
    async def remind_review(self, reminder: ReviewReminder) -> Outgoing: ...


class AssignmentSteps(Protocol):
    @activity.defn(name=ActivityName.WAKE_WAITING_SHIPMENTS)
    async def wake_waiting_shipments(self, request: WakeWaitingShipments) -> int:
        """Signals the shipments waiting in the partner's zips; answers how many."""
        ...


class NotificationSteps(Protocol):
    @activity.defn(name=ActivityName.SEND_NOTIFICATIONS)
    async def send_notifications(self, request: SendNotifications) -> None: ...


class WebhookSteps(Protocol):
    @activity.defn(name=ActivityName.DELIVER_WEBHOOK)
    async def deliver_webhook(self, delivery_id: uuid.UUID) -> None: ...


class AccountSteps(Protocol):
    @activity.defn(name=ActivityName.SEND_ACCOUNT_EMAIL)
    async def send_account_email(self, request: AccountEmail) -> None: ...

    @activity.defn(name=ActivityName.SEND_PASSWORD_RESET)
    async def send_password_reset(self, request: PasswordResetRequest) -> None: ...

    @activity.defn(name=ActivityName.EXPIRE_UNVERIFIED_ACCOUNT)
    async def expire_unverified_account(self, ref: AccountRef) -> bool:
        """Deletes the account if it is still unverified; answers whether it did."""
        ...
