"""ShipmentWorkflow: one durable workflow per shipment, the only place its state changes.

placed (waiting for, then assigned to, a partner) -> in_transit <-> out_for_delivery -> delivered,
or cancelled. After delivery it waits for the recipient's review, then ends.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from models import descriptions
    from models.activity_steps import (
        AssignmentSteps,
        NotificationSteps,
        ShipmentSteps,
        WebhookSteps,
    )
    from models.domain import CAPACITY_FREED_SIGNAL, SearchAttributes, ShipmentStatus
    from models.lifecycle import (
        Refused,
        ShipmentFacts,
        cancel_refused,
        report_refused,
        review_refused,
    )
    from models.webhook_retries import WEBHOOK_RETRY_POLICY
    from models.workflow_ids import SHIPMENT_WORKFLOW_TYPE
    from models.workflow_io import (
        AssignPartner,
        CancelRequest,
        CreationCheck,
        FlagReason,
        FlagShipment,
        NewShipment,
        Outgoing,
        PartnerReport,
        Refusal,
        ReviewReminder,
        ReviewSubmission,
        SendNotifications,
        ShipmentEventRecord,
        ShipmentState,
        ShipmentWorkflowInput,
        StoredShipment,
        StoreReview,
        WakeWaitingShipments,
    )

Arg = TypeVar("Arg")
Result = TypeVar("Result")
Step = Callable[[Any, Arg], Awaitable[Result]]
"""An activity, by its method in models.activity_steps: what it takes and answers is typed."""

MAX_REASSIGNMENTS = 2  # after this many missed pickups the shipment needs an operator
DATABASE_STEP_TIMEOUT = timedelta(seconds=30)
# Steps that take a timeline sequence, and those an Update asks for, run as activities scheduled
# in the history: a worker that dies after such a step committed cannot leave a change the
# workflow never heard of, since the retried step is the same one, with the same change id.
# (Before this patch they ran as local activities, inside the workflow task that accepted the
# Update, which a crash and a server restart could forget after the write.)
WRITES_AFTER_ACCEPTANCE = "writes-after-acceptance"
DATABASE_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=30)
)
# Sending: retried with backoff (on provider 429/5xx) until the deadline.
NOTIFICATION_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=10)
)
# Notifications are first tried once as a local activity, in the workflow task that stored them:
# no activity task and no second workflow task in the history, which cost the Temporal server a
# third of a create. That task (and the Update it answers) waits for the attempt: as long as the
# providers take to accept the messages, and about 8 s at most (the SDK reports a task's progress at
# 80% of its 10 s timeout). A message not handed over is retried apart, by a scheduled activity
# with the backoff above. The attempt has the same time limit as a scheduled one, so none is cut
# short while a provider may still accept its message.
# (Webhooks go to sellers' own servers, which may be slow: they are scheduled from the start.)
SEND_FIRST_LOCALLY = "send-first-locally"
ONE_ATTEMPT = RetryPolicy(maximum_attempts=1)

PLACED = ShipmentStatus.PLACED
IN_TRANSIT = ShipmentStatus.IN_TRANSIT
DELIVERED = ShipmentStatus.DELIVERED
CANCELLED = ShipmentStatus.CANCELLED


def _refusal(refusal: Refusal, message: str) -> ApplicationError:
    return ApplicationError(message, type=refusal, non_retryable=True)


def _as_refusal(error: ActivityError | ApplicationError) -> ApplicationError:
    """An activity's non-retryable refusal, re-raised so the Update fails with it.

    (A local activity's failure arrives as its ApplicationError; a remote one's wrapped.)
    """
    cause = error.cause if isinstance(error, ActivityError) else error
    if isinstance(cause, ApplicationError) and cause.type in set(Refusal):
        return _refusal(Refusal(cause.type), cause.message)
    raise error


@workflow.defn(name=SHIPMENT_WORKFLOW_TYPE)
class ShipmentWorkflow:
    @workflow.init
    def __init__(self, shipment: ShipmentWorkflowInput) -> None:
        self._shipment = shipment
        self._status = PLACED
        self._partner_id: uuid.UUID | None = None
        self._stored: StoredShipment | None = None
        self._refused: ApplicationError | None = None
        self._sequence = 0  # of the last timeline event
        self._reassignments = 0
        self._needs_attention = False
        self._capacity_freed = False
        self._reviewed = False
        self._delivered_at: datetime | None = None
        self._sending: list[asyncio.Task[None]] = []  # notifications and webhooks under way
        # Handlers that run activities hold this, so two changes never interleave.
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, shipment: ShipmentWorkflowInput) -> ShipmentStatus:
        timings = shipment.timings
        placed_at = workflow.now()
        estimated_delivery = placed_at + timings.delivery_estimate
        async with self._lock:
            try:
                self._stored = await self._database_step(
                    ShipmentSteps.place_shipment,
                    NewShipment(
                        shipment_id=shipment.shipment_id,
                        seller_id=shipment.seller_id,
                        idempotency_key=shipment.idempotency_key,
                        fingerprint=shipment.fingerprint,
                        order=shipment.order,
                        placed_at=placed_at,
                        estimated_delivery=estimated_delivery,
                        sequence=1,
                    ),
                    "Store the shipment and try to assign a partner",
                )
            except (ActivityError, ApplicationError) as error:
                self._refused = _as_refusal(error)
        if self._stored is None:
            # Nothing was stored: the create's Update answers with the refusal, then the run fails.
            await workflow.wait_condition(workflow.all_handlers_finished)
            raise self._refused or ApplicationError("the shipment was not placed")
        self._status = self._stored.status
        self._sequence = self._stored.events_recorded
        self._set_partner(self._stored.partner_id)
        self._send(self._stored.outgoing)

        estimate_watch = asyncio.create_task(self._watch_estimate(estimated_delivery))
        await self._until_picked_up(placed_at + timings.assignment_deadline)
        await workflow.wait_condition(lambda: self._status.is_final)
        await estimate_watch
        if self._partner_id is not None:
            await self._wake_waiting_shipments(self._partner_id)
        if self._status is DELIVERED:
            await self._collect_review()
        await workflow.wait_condition(workflow.all_handlers_finished)
        await asyncio.gather(*self._sending)
        return self._status

    # Phases of the run

    async def _until_picked_up(self, assignment_deadline: datetime) -> None:
        """While placed: find a partner by the deadline; replace one who does not pick up."""
        timings = self._shipment.timings
        while self._status is PLACED:
            if self._partner_id is None:
                remaining = assignment_deadline - workflow.now()
                if remaining <= timedelta(0):
                    await self._cancel_for_want_of_a_partner()
                    return
                # Woken or timed out, the next step is the same: try again.
                await self._wait(
                    lambda: self._capacity_freed or self._status is not PLACED,
                    min(timings.assignment_retry, remaining),
                    "Retry the assignment (or sooner, when capacity frees)",
                )
                self._capacity_freed = False  # a signal during the attempt means: try again
                await self._try_assignment(replacing=None)
            else:
                picked_up = await self._wait(
                    lambda: self._status is not PLACED,
                    timings.pickup_deadline,
                    "Pickup deadline",
                )
                if not picked_up:
                    await self._try_assignment(replacing=self._partner_id)

    async def _watch_estimate(self, estimated_delivery: datetime) -> None:
        on_time = await self._wait(
            lambda: self._status.is_final,
            estimated_delivery - workflow.now(),
            "Delivery estimate",
        )
        if not on_time:
            await self._flag(FlagReason.ESTIMATE_PASSED)

    async def _collect_review(self) -> None:
        timings = self._shipment.timings
        assert self._delivered_at is not None
        if await self._wait(lambda: self._reviewed, timings.review_reminder, "Review reminder"):
            return
        outgoing = await self._database_step(
            ShipmentSteps.remind_review,
            ReviewReminder(shipment_id=self._shipment.shipment_id, delivered_at=self._delivered_at),
            "Remind the recipient to review the delivery",
        )
        self._send(outgoing)
        closes = self._delivered_at + timings.review_window
        await self._wait(lambda: self._reviewed, closes - workflow.now(), "Review window closes")

    # Steps

    async def _try_assignment(self, replacing: uuid.UUID | None) -> None:
        async with self._lock:
            if self._status is not PLACED or self._partner_id != replacing:
                return
            assignment = await self._step_after_acceptance(
                ShipmentSteps.assign_partner,
                AssignPartner(
                    shipment_id=self._shipment.shipment_id,
                    sequence=self._sequence + 1,
                    change_id=str(workflow.uuid4()),
                    occurred_at=workflow.now(),
                    replacing=replacing,
                ),
                "Reassign to another partner" if replacing else "Assign a delivery partner",
            )
            if not assignment.changed:
                return
            self._sequence += 1
            self._set_partner(assignment.partner_id)
            self._send(assignment.outgoing)
            if replacing is not None:
                self._reassignments += 1
                if self._reassignments >= MAX_REASSIGNMENTS:
                    await self._flag(FlagReason.REASSIGNED_TOO_OFTEN)

    async def _cancel_for_want_of_a_partner(self) -> None:
        async with self._lock:
            if self._status is PLACED and self._partner_id is None:
                await self._record(CANCELLED, "system", descriptions.NO_PARTNER)

    async def _record(
        self,
        status: ShipmentStatus,
        actor: str,
        description: str | None = None,
        location_zip: str | None = None,
    ) -> None:
        """Stores one timeline event (and its status change); call with the lock held.

        The change is named by the Update that asked for it (the API derives its id from the
        request's Idempotency-Key), or by an id of the workflow's own.
        """
        sequence = self._sequence + 1
        update = workflow.current_update_info()
        try:
            recorded = await self._step_after_acceptance(
                ShipmentSteps.record_shipment_event,
                ShipmentEventRecord(
                    shipment_id=self._shipment.shipment_id,
                    sequence=sequence,
                    change_id=update.id if update else str(workflow.uuid4()),
                    status=status,
                    actor=actor,
                    occurred_at=workflow.now(),
                    description=description,
                    location_zip=location_zip,
                ),
                f"Record {status}" if status is not self._status else "Record a location scan",
            )
        except (ActivityError, ApplicationError) as error:
            raise _as_refusal(error) from None
        self._send(recorded.outgoing)
        self._sequence = sequence
        if status is DELIVERED:
            self._delivered_at = workflow.now()
        if status is not self._status:
            self._status = status
            workflow.upsert_search_attributes([SearchAttributes.SHIPMENT_STATUS.value_set(status)])
            self._show_details()

    async def _flag(self, reason: FlagReason) -> None:
        outgoing = await self._database_step(
            ShipmentSteps.flag_shipment,
            FlagShipment(shipment_id=self._shipment.shipment_id, reason=reason),
            f"Flag for operators: {reason.replace('_', ' ')}",
        )
        self._send(outgoing)
        self._needs_attention = True
        workflow.upsert_search_attributes([SearchAttributes.NEEDS_ATTENTION.value_set(True)])
        self._show_details()

    async def _wake_waiting_shipments(self, partner_id: uuid.UUID) -> None:
        await workflow.execute_activity_method(
            AssignmentSteps.wake_waiting_shipments,
            WakeWaitingShipments(partner_id=partner_id),
            start_to_close_timeout=DATABASE_STEP_TIMEOUT,
            retry_policy=DATABASE_RETRY,
            summary="Wake shipments waiting for this partner's freed capacity",
        )

    def _send(self, outgoing: Outgoing) -> None:
        """Starts sending what a step stored; the run ends only once all of it is settled."""
        timings = self._shipment.timings
        if outgoing.notifications:
            self._sending.append(
                asyncio.create_task(
                    self._deliver(
                        NotificationSteps.send_notifications,
                        SendNotifications(notification_ids=outgoing.notifications),
                        NOTIFICATION_RETRY,
                        timings.notification_retry_deadline,
                        f"Send {outgoing.summary}",
                        first_locally=workflow.patched(SEND_FIRST_LOCALLY),
                    )
                )
            )
        for delivery_id in outgoing.webhooks:
            self._sending.append(
                asyncio.create_task(
                    self._deliver(
                        WebhookSteps.deliver_webhook,
                        delivery_id,
                        WEBHOOK_RETRY_POLICY,
                        timings.webhook_retry_deadline,
                        "Deliver the seller's webhook",
                    )
                )
            )

    async def _deliver(
        self,
        send: Step[Arg, None],
        arg: Arg,
        retry: RetryPolicy,
        deadline: timedelta,
        summary: str,
        first_locally: bool = False,
    ) -> None:
        if first_locally:
            try:
                await workflow.execute_local_activity_method(
                    send,
                    arg,
                    start_to_close_timeout=self._shipment.timings.send_attempt_timeout,
                    retry_policy=ONE_ATTEMPT,
                    summary=summary,
                )
                return
            except (ActivityError, ApplicationError):  # a local activity's failure is the latter
                pass  # what is left unsent is sent by the scheduled activity below
        try:
            await workflow.execute_activity_method(
                send,
                arg,
                start_to_close_timeout=self._shipment.timings.send_attempt_timeout,
                schedule_to_close_timeout=deadline,
                retry_policy=retry,
                summary=summary,
            )
        except ActivityError as error:  # out of retries: recorded as failed, the shipment goes on
            workflow.logger.warning("Gave up: %s (%s)", summary, error.cause)

    async def _step_after_acceptance(
        self, step: Step[Arg, Result], arg: Arg, summary: str
    ) -> Result:
        """A step that takes a timeline sequence, or that an Update asks for: it runs once its
        command (and so the Update's acceptance) is in the history."""
        if not workflow.patched(WRITES_AFTER_ACCEPTANCE):
            return await self._database_step(step, arg, summary)
        return await workflow.execute_activity_method(
            step,
            arg,
            start_to_close_timeout=self._shipment.timings.database_step_timeout,
            retry_policy=DATABASE_RETRY,
            summary=summary,
        )

    async def _database_step(self, step: Step[Arg, Result], arg: Arg, summary: str) -> Result:
        # A local activity: a short database transaction needs no task queue round trip. For
        # steps keyed by what they are (the shipment, its flag, a reminder) that the workflow
        # itself runs, which a retried workflow task runs again as they were.
        return await workflow.execute_local_activity_method(
            step,
            arg,
            start_to_close_timeout=DATABASE_STEP_TIMEOUT,
            retry_policy=DATABASE_RETRY,
            summary=summary,
        )

    async def _wait(self, condition: Callable[[], bool], within: timedelta, summary: str) -> bool:
        """True if `condition` came true within the time, False if the timer fired first."""
        try:
            await workflow.wait_condition(
                condition, timeout=max(within, timedelta(seconds=1)), timeout_summary=summary
            )
        except TimeoutError:
            return False
        return True

    def _set_partner(self, partner_id: uuid.UUID | None) -> None:
        self._partner_id = partner_id
        if partner_id is not None:
            workflow.upsert_search_attributes(
                [SearchAttributes.PARTNER_ID.value_set(str(partner_id))]
            )
        self._show_details()

    def _show_details(self) -> None:
        partner = f"partner {self._partner_id}" if self._partner_id else "waiting for a partner"
        details = [f"**Status:** {self._status}", f"**Partner:** {partner}"]
        if self._reassignments:
            details.append(f"**Reassignments:** {self._reassignments}")
        if self._needs_attention:
            details.append("**Needs attention**")
        workflow.set_current_details("  \n".join(details))

    def _state(self) -> ShipmentState:
        return ShipmentState(
            status=self._status, partner_id=self._partner_id, needs_attention=self._needs_attention
        )

    # Messages

    @workflow.update
    async def place(self, request: CreationCheck) -> ShipmentState:  # noqa: ARG002 - see validator
        """The create's Update: answers once the shipment is stored and assignment was tried."""
        await workflow.wait_condition(lambda: self._stored is not None or bool(self._refused))
        if self._refused is not None:
            raise self._refused
        return self._state()

    @place.validator
    def _validate_place(self, request: CreationCheck) -> None:
        if request.fingerprint != self._shipment.fingerprint:
            raise _refusal(
                Refusal.IDEMPOTENCY_KEY_REUSED,
                "This Idempotency-Key was already used with a different request body",
            )

    @workflow.update
    async def report(self, report: PartnerReport) -> ShipmentState:
        """A partner's status change or location scan, stored before the answer."""
        await self._placement()
        async with self._lock:
            self._check_report(report)  # again: the state may have moved while this waited
            actor = f"partner:{report.partner_id}"
            await self._record(
                report.status or self._status, actor, report.description, report.location_zip
            )
        return self._state()

    @report.validator
    def _validate_report(self, report: PartnerReport) -> None:
        if self._placement_known:
            self._check_report(report)

    def _check_report(self, report: PartnerReport) -> None:
        self._refuse_if(report_refused(self._facts(), report))

    @workflow.update
    async def cancel(self, request: CancelRequest) -> ShipmentState:
        await self._placement()
        async with self._lock:
            self._check_cancel(request)
            await self._record(
                CANCELLED,
                f"seller:{request.seller_id}",
                request.reason or descriptions.CANCELLED_BY_SELLER,
            )
        return self._state()

    @cancel.validator
    def _validate_cancel(self, request: CancelRequest) -> None:
        if self._placement_known:
            self._check_cancel(request)

    def _check_cancel(self, request: CancelRequest) -> None:
        self._refuse_if(cancel_refused(self._facts(), request))

    @workflow.update
    async def review(self, submission: ReviewSubmission) -> None:
        await self._placement()
        async with self._lock:
            self._check_review()
            await self._step_after_acceptance(
                ShipmentSteps.store_review,
                StoreReview(shipment_id=self._shipment.shipment_id, **submission.model_dump()),
                "Store the recipient's review",
            )
            self._reviewed = True

    @review.validator
    def _validate_review(self, submission: ReviewSubmission) -> None:  # noqa: ARG002
        if self._placement_known:
            self._check_review()

    def _check_review(self) -> None:
        self._refuse_if(review_refused(self._facts()))

    async def _placement(self) -> None:
        if not self._placement_known:  # else no await: the order of commands stays as it was
            await workflow.wait_condition(lambda: self._placement_known)

    @property
    def _placement_known(self) -> bool:
        """False until the first step answered (stored, or refused). A command can arrive before:
        the API found the shipment stored, but the workflow task that stored it died with its
        worker, and this retried one has not run the step again yet. Its validator lets it in, and
        its handler waits for the step, then checks it."""
        return self._stored is not None or self._refused is not None

    def _facts(self) -> ShipmentFacts:
        return ShipmentFacts(
            status=self._status,
            placed=self._stored is not None,
            seller_id=self._shipment.seller_id,
            partner_id=self._partner_id,
            reviewed=self._reviewed,
        )

    @staticmethod
    def _refuse_if(refused: Refused | None) -> None:
        if refused is not None:
            raise _refusal(*refused)

    @workflow.signal(name=CAPACITY_FREED_SIGNAL)
    def capacity_freed(self) -> None:
        """A partner serving this zip has room now: try the assignment at once."""
        self._capacity_freed = True

    @workflow.query
    def state(self) -> ShipmentState:
        return self._state()
