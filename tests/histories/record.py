"""Records the event histories the replay tests check new workflow code against.

Run after a deliberate, versioned change to a workflow: `python -m tests.histories.record`, after
renaming the shipment histories it replaces to `<name>.v<N>.json` (they stay, and keep replaying).
Activities are stand-ins: a history keeps only their results, which is all a replay reads.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from fastship.payload_codec import parse_keys
from fastship.temporal import data_converter
from launcher.embedded import temporal_cli_path
from models.domain import TASK_QUEUE, Role, SearchAttributes, ShipmentStatus
from models.workflow_ids import email_verification_workflow_id
from models.workflow_io import (
    AccountEmail,
    AccountRef,
    ActivityName,
    Assignment,
    AssignPartner,
    CancelRequest,
    CreationCheck,
    EmailVerificationInput,
    FlagShipment,
    NewShipment,
    Outgoing,
    PartnerReport,
    Recorded,
    Refusal,
    ReviewReminder,
    ReviewSubmission,
    SendNotifications,
    ShipmentEventRecord,
    ShipmentOrder,
    ShipmentTimings,
    ShipmentWorkflowInput,
    StoredShipment,
    StoreReview,
    WakeWaitingShipments,
)
from workflows.accounts import EmailVerificationWorkflow
from workflows.shipment import ShipmentWorkflow

HISTORIES = Path(__file__).parent
# The recordings' payloads are encrypted, as production's are, with this test-only key.
RECORDING_KEYS = parse_keys("recordings:5AReJ8HTsJ6owwvzNNREfAywb0U+F73MWPMOgD2n+oQ=")
PARTNER = uuid.UUID("6f1b1d1e-5b0e-4a57-9d0e-0c4b2f8a7e11")
SELLER = uuid.UUID("1d4c8f0a-3e6b-4f5a-8c2d-9b7e6a5f4c31")
UNSERVED_ZIP = "99999"
WAITING_ZIP = "60601"
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)


def _outgoing(webhook: bool = True) -> Outgoing:
    """What a step queued: a message and (for status changes) a webhook delivery."""
    return Outgoing(
        notifications=[uuid.uuid4()],
        webhooks=[uuid.uuid4()] if webhook else [],
        summary="recorded (email)",
    )


@activity.defn(name=ActivityName.PLACE_SHIPMENT)
async def place_shipment(request: NewShipment) -> StoredShipment:
    zip_code = request.order.destination_zip
    if zip_code == UNSERVED_ZIP:
        raise ApplicationError(
            "No delivery partner serves zip 99999", type=Refusal.ZIP_NOT_SERVED, non_retryable=True
        )
    partner = None if zip_code == WAITING_ZIP else PARTNER
    return StoredShipment(
        status=ShipmentStatus.PLACED,
        partner_id=partner,
        events_recorded=1 + bool(partner),
        outgoing=_outgoing(),
    )


@activity.defn(name=ActivityName.ASSIGN_PARTNER)
async def assign_partner(request: AssignPartner) -> Assignment:
    return Assignment(partner_id=PARTNER, changed=True, outgoing=_outgoing())


@activity.defn(name=ActivityName.RECORD_EVENT)
async def record_shipment_event(event: ShipmentEventRecord) -> Recorded:
    return Recorded(recorded=True, outgoing=_outgoing())


@activity.defn(name=ActivityName.FLAG_SHIPMENT)
async def flag_shipment(request: FlagShipment) -> Outgoing:
    return _outgoing(webhook=False)


@activity.defn(name=ActivityName.STORE_REVIEW)
async def store_review(review: StoreReview) -> None:
    return None


@activity.defn(name=ActivityName.REMIND_REVIEW)
async def remind_review(reminder: ReviewReminder) -> Outgoing:
    return _outgoing(webhook=False)


@activity.defn(name=ActivityName.SEND_NOTIFICATIONS)
async def send_notifications(request: SendNotifications) -> None:
    return None


@activity.defn(name=ActivityName.DELIVER_WEBHOOK)
async def deliver_webhook(delivery_id: uuid.UUID) -> None:
    return None


@activity.defn(name=ActivityName.SEND_ACCOUNT_EMAIL)
async def send_account_email(request: AccountEmail) -> None:
    return None


@activity.defn(name=ActivityName.EXPIRE_UNVERIFIED_ACCOUNT)
async def expire_unverified_account(ref: AccountRef) -> bool:
    return True


@activity.defn(name=ActivityName.WAKE_WAITING_SHIPMENTS)
async def wake_waiting_shipments(request: WakeWaitingShipments) -> int:
    return 0


STAND_INS: list[Callable[..., Awaitable[Any]]] = [
    place_shipment,
    assign_partner,
    record_shipment_event,
    flag_shipment,
    store_review,
    remind_review,
    wake_waiting_shipments,
    send_notifications,
    deliver_webhook,
    send_account_email,
    expire_unverified_account,
]

Handle = WorkflowHandle[Any, Any]


async def _placed(client: Client, zip_code: str) -> Handle:
    """Starts a shipment as the API's create does: one update-with-start."""
    shipment = ShipmentWorkflowInput(
        shipment_id=uuid.uuid4(),
        seller_id=SELLER,
        idempotency_key=None,
        fingerprint="recorded",
        order=ShipmentOrder(
            content="Two books",
            weight=Decimal("1.2"),
            destination_zip=zip_code,
            client_contact_email="ana@example.com",
        ),
        timings=ShipmentTimings(
            assignment_deadline=24 * HOUR,
            assignment_retry=HOUR,
            pickup_deadline=12 * HOUR,
            delivery_estimate=72 * HOUR,
            review_reminder=72 * HOUR,
            review_window=720 * HOUR,
        ),
    )
    start = WithStartWorkflowOperation(
        ShipmentWorkflow.run,
        shipment,
        id=f"shipment-{shipment.shipment_id}",
        task_queue=TASK_QUEUE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    try:
        await client.execute_update_with_start_workflow(
            ShipmentWorkflow.place,
            CreationCheck(fingerprint="recorded"),
            start_workflow_operation=start,
        )
    except Exception:  # the refused create: its history is recorded all the same
        if zip_code != UNSERVED_ZIP:
            raise
    return await start.workflow_handle()


def _report(status: ShipmentStatus | None = None, **fields: Any) -> PartnerReport:
    return PartnerReport(partner_id=PARTNER, status=status, **fields)


async def delivered_and_reviewed(client: Client) -> Handle:
    handle = await _placed(client, "10001")
    for report in (
        _report(ShipmentStatus.IN_TRANSIT),
        _report(location_zip="07030", description="Hoboken hub"),
        _report(ShipmentStatus.OUT_FOR_DELIVERY),
        _report(ShipmentStatus.IN_TRANSIT, description="Nobody home"),
        _report(ShipmentStatus.OUT_FOR_DELIVERY),
        _report(ShipmentStatus.DELIVERED),
    ):
        await handle.execute_update(ShipmentWorkflow.report, report)
    await handle.execute_update(ShipmentWorkflow.review, ReviewSubmission(rating=5))
    await handle.result()
    return handle


async def waited_then_cancelled(client: Client) -> Handle:
    handle = await _placed(client, WAITING_ZIP)
    await handle.signal(ShipmentWorkflow.capacity_freed)
    await _until(handle, lambda state: state.partner_id is not None)
    await handle.execute_update(ShipmentWorkflow.cancel, CancelRequest(seller_id=SELLER))
    await handle.result()
    return handle


async def refused(client: Client) -> Handle:
    handle = await _placed(client, UNSERVED_ZIP)
    try:
        await handle.result()
    except Exception:  # the workflow fails with the refusal, as it should
        return handle
    raise AssertionError("the unserved zip was not refused")


async def _verification(client: Client) -> tuple[Handle, EmailVerificationInput]:
    account = EmailVerificationInput(
        role=Role.SELLER,
        account_id=uuid.uuid4(),
        remind_after=SECOND,
        expire_after=3 * SECOND,
        send_deadline=HOUR,
    )
    handle = await client.start_workflow(
        EmailVerificationWorkflow.run,
        account,
        id=email_verification_workflow_id(account),
        task_queue=TASK_QUEUE,
    )
    return handle, account


async def email_verified(client: Client) -> Handle:
    handle, _ = await _verification(client)
    await handle.signal(EmailVerificationWorkflow.verified)
    assert await handle.result() is True
    return handle


async def email_never_verified(client: Client) -> Handle:
    handle, _ = await _verification(client)
    assert await handle.result() is False  # reminded, then removed
    return handle


async def _until(handle: Handle, accept: Callable[[Any], bool]) -> None:
    while not accept(await handle.query(ShipmentWorkflow.state)):  # noqa: ASYNC110 - polls a query
        await asyncio.sleep(0.1)


SCENARIOS: dict[str, Callable[[Client], Awaitable[Handle]]] = {
    "delivered_and_reviewed": delivered_and_reviewed,
    "waited_then_cancelled": waited_then_cancelled,
    "refused": refused,
    "email_verified": email_verified,
    "email_never_verified": email_never_verified,
}


async def record_histories() -> None:
    async with (
        await WorkflowEnvironment.start_local(
            dev_server_existing_path=temporal_cli_path(),
            search_attributes=SearchAttributes.ALL,
            data_converter=data_converter(RECORDING_KEYS),
        ) as env,
        Worker(
            env.client,
            task_queue=TASK_QUEUE,
            workflows=[ShipmentWorkflow, EmailVerificationWorkflow],
            activities=STAND_INS,
        ),
    ):
        for name, scenario in SCENARIOS.items():
            history = await (await scenario(env.client)).fetch_history()
            (HISTORIES / f"{name}.json").write_text(history.to_json())


if __name__ == "__main__":
    asyncio.run(record_histories())
