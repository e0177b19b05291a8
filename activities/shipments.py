"""Activities that write shipment state, timeline events and their messages to PostgreSQL.

Each runs in one transaction and is idempotent: a retried activity changes nothing twice. One that
changes the timeline publishes the change once it is committed (activities.publishing).
"""

import secrets
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import messages
from activities.publishing import ChangePublisher
from fastship.secrets import delivery_code, hash_delivery_code, new_delivery_code_nonce
from fastship.settings import Settings
from models import descriptions
from models.accounts import Partner, Seller
from models.activity_steps import ShipmentSteps
from models.changes import ShipmentChange
from models.domain import CancelReason, ShipmentStatus
from models.lifecycle import is_failed_attempt
from models.shipments import Shipment
from models.webhooks import WebhookEventType
from models.workflow_io import (
    ActivityName,
    Assignment,
    AssignPartner,
    FlagReason,
    FlagShipment,
    NewShipment,
    Outgoing,
    Recorded,
    Refusal,
    ReviewReminder,
    ShipmentEventRecord,
    StoredShipment,
    StoreReview,
)
from repositories import delivery_codes, notifications, partners, reviews, shipments, webhooks
from repositories.notifications import NewNotification
from repositories.webhooks import WebhookEvent

TRACKING_CODE_BYTES = 24  # 192 bits
# The placement's two events; the placement itself runs once per shipment.
PLACED_CHANGE = "placed"
FIRST_ASSIGNMENT_CHANGE = "first-assignment"


def _refuse(refusal: Refusal, message: str) -> ApplicationError:
    return ApplicationError(message, type=refusal, non_retryable=True)


def _assignment_key(event: ShipmentEventRecord) -> str:
    """Names the assignment's messages (one per audience and channel)."""
    return f"assigned-{event.sequence}"


def _webhook_event(
    event_type: WebhookEventType,
    shipment: Shipment,
    event: ShipmentEventRecord,
    partner_id: uuid.UUID | None,
) -> WebhookEvent:
    """What the seller's webhook message tells of a timeline event."""
    data: dict[str, object] = {
        "shipment_id": str(shipment.id),
        "status": event.status.value,
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.isoformat(),
        "description": event.description,
        "location_zip": event.location_zip,
        "partner_id": str(partner_id) if partner_id else None,
        "tracking_code": shipment.tracking_code,
    }
    return WebhookEvent(event_type, data, event.occurred_at)


def _change(
    shipment: Shipment,
    sequence: int,
    status: ShipmentStatus,
    partner_id: uuid.UUID | None,
    previous_partner_id: uuid.UUID | None = None,
) -> ShipmentChange:
    return ShipmentChange(
        shipment_id=shipment.id,
        sequence=sequence,
        status=status,
        tracking_code=shipment.tracking_code,
        seller_id=shipment.seller_id,
        partner_id=partner_id,
        previous_partner_id=previous_partner_id,
    )


async def _tracking(session: AsyncSession, change: ShipmentChange) -> str:
    """The shipment's tracking document as this transaction leaves it, for the tracking cache."""
    document = await shipments.tracking_document(await session.connection(), change.tracking_code)
    assert document is not None  # the change's shipment is stored, in this very transaction
    return document


class ShipmentActivities(ShipmentSteps):
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        publisher: ChangePublisher,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._publisher = publisher

    async def _notify(self, session: AsyncSession, batch: list[NewNotification]) -> Outgoing:
        """Stores the notifications with the change that causes them; the workflow sends them."""
        summary = ", ".join(dict.fromkeys(f"{n.template} ({n.channel})" for n in batch))
        return Outgoing(notifications=await notifications.add(session, batch), summary=summary)

    async def _webhooks(
        self, session: AsyncSession, shipment: Shipment, events: list[WebhookEvent]
    ) -> Outgoing:
        """Queues the seller's webhook deliveries of these events, in the same transaction."""
        deliveries = await webhooks.enqueue(
            session, seller_id=shipment.seller_id, shipment_id=shipment.id, events=events
        )
        return Outgoing(webhooks=deliveries)

    async def _unsent(self, session: AsyncSession, shipment_id: uuid.UUID) -> Outgoing:
        """For a retried step that had committed: what it queued, and is still to be sent."""
        return Outgoing(
            notifications=await notifications.pending_for_shipment(session, shipment_id),
            webhooks=await webhooks.pending_for_shipment(session, shipment_id),
            summary="what was left unsent",
        )

    async def _locked(self, session: AsyncSession, shipment_id: uuid.UUID) -> Shipment:
        shipment = await shipments.lock(session, shipment_id)
        if shipment is None:
            raise _refuse(Refusal.NOT_FOUND, f"shipment {shipment_id} is not stored")
        return shipment

    async def _assign(
        self,
        session: AsyncSession,
        shipment: Shipment,
        event: ShipmentEventRecord,
        replacing: uuid.UUID | None,
    ) -> tuple[uuid.UUID | None, Outgoing]:
        """Gives the shipment to the least loaded eligible partner; None if all are full."""
        candidates = await partners.lock_candidates(
            session, shipment.destination_zip, excluding=replacing
        )
        return await self._give(session, shipment, event, candidates.choose(), replacing)

    async def _give(
        self,
        session: AsyncSession,
        shipment: Shipment,
        event: ShipmentEventRecord,
        partner: Partner | None,
        replacing: uuid.UUID | None,
    ) -> tuple[uuid.UUID | None, Outgoing]:
        """Records the assignment to `partner` (locked by the caller) and tells who it concerns."""
        if partner is None:
            return None, Outgoing()
        event.description = descriptions.assigned_to(partner.name)
        await shipments.add_event(session, event)
        values: dict[str, object] = {"partner_id": partner.id}
        if replacing is not None:
            values["reassignments"] = shipment.reassignments + 1
        await shipments.change(session, shipment.id, **values)
        key = _assignment_key(event)
        batch = messages.assigned(shipment, key, partner, first=replacing is None)
        if replacing is not None:
            previous = await self._partner(session, replacing)
            batch += messages.unassigned(shipment, key, previous)
        outgoing = await self._notify(session, batch)
        assigned = _webhook_event(WebhookEventType.SHIPMENT_ASSIGNED, shipment, event, partner.id)
        outgoing += await self._webhooks(session, shipment, [assigned])
        return partner.id, outgoing

    async def _partner(self, session: AsyncSession, partner_id: uuid.UUID) -> Partner:
        partner = await session.get(Partner, partner_id)
        assert partner is not None  # partners are never deleted once assigned
        return partner

    @activity.defn(name=ActivityName.PLACE_SHIPMENT)
    async def place_shipment(self, request: NewShipment) -> StoredShipment:
        """Stores the shipment and its `placed` event, and tries to assign a partner at once.

        Refused (nothing stored) when no partner serves the zip at all.
        """
        async with self._sessions.begin() as session:
            stored, change = await self._place(session, request)
            tracking = await _tracking(session, change)
        await self._publisher.publish(change, tracking)
        return stored

    async def _place(
        self, session: AsyncSession, request: NewShipment
    ) -> tuple[StoredShipment, ShipmentChange]:
        zip_code = request.order.destination_zip
        candidates = await partners.lock_candidates(session, zip_code)
        partner = candidates.choose()
        shipment = await shipments.insert_shipment(
            session,
            request,
            secrets.token_urlsafe(TRACKING_CODE_BYTES),
            partner.id if partner else None,
        )
        if shipment is None:  # a retry of a placement that committed: its sends are queued
            return await self._stored_before(session, request.shipment_id)
        if not candidates.loads:  # the refusal rolls the insert back: nothing is stored
            raise _refuse(Refusal.ZIP_NOT_SERVED, f"No delivery partner serves zip {zip_code}")
        placed = ShipmentEventRecord(
            shipment_id=request.shipment_id,
            sequence=request.sequence,
            change_id=PLACED_CHANGE,
            status=ShipmentStatus.PLACED,
            actor=f"seller:{request.seller_id}",
            occurred_at=request.placed_at,
            description=descriptions.PLACED,
        )
        events = [placed]
        to_sellers = [_webhook_event(WebhookEventType.SHIPMENT_PLACED, shipment, placed, None)]
        outgoing = Outgoing()
        if partner is not None:
            assignment = ShipmentEventRecord(
                shipment_id=shipment.id,
                sequence=request.sequence + 1,
                change_id=FIRST_ASSIGNMENT_CHANGE,
                status=ShipmentStatus.PLACED,
                actor="system",
                occurred_at=request.placed_at,
                description=descriptions.assigned_to(partner.name),
            )
            events.append(assignment)
            to_sellers.append(
                _webhook_event(WebhookEventType.SHIPMENT_ASSIGNED, shipment, assignment, partner.id)
            )
            key = _assignment_key(assignment)
            batch = messages.assigned(shipment, key, partner, first=True)
            outgoing = await self._notify(session, batch)
        await shipments.insert_events(session, events)
        outgoing += await self._webhooks(session, shipment, to_sellers)
        stored = StoredShipment(
            status=ShipmentStatus.PLACED,
            partner_id=partner.id if partner else None,
            events_recorded=len(events),
            outgoing=outgoing,
        )
        return stored, _change(shipment, len(events), stored.status, stored.partner_id)

    async def _stored_before(
        self, session: AsyncSession, shipment_id: uuid.UUID
    ) -> tuple[StoredShipment, ShipmentChange]:
        shipment = await shipments.get(session, shipment_id)
        assert shipment is not None  # shipments are never deleted
        stored = StoredShipment(
            status=shipment.status,
            partner_id=shipment.partner_id,
            events_recorded=await shipments.count_events(session, shipment.id),
            outgoing=await self._unsent(session, shipment.id),
        )
        return stored, _change(shipment, stored.events_recorded, stored.status, stored.partner_id)

    @activity.defn(name=ActivityName.ASSIGN_PARTNER)
    async def assign_partner(self, request: AssignPartner) -> Assignment:
        """Assigns a waiting shipment, or reassigns one its partner did not pick up in time."""
        async with self._sessions.begin() as session:
            assignment, change = await self._assignment(session, request)
            if change is None:
                return assignment
            tracking = await _tracking(session, change)
        await self._publisher.publish(change, tracking)
        return assignment

    async def _assignment(
        self, session: AsyncSession, request: AssignPartner
    ) -> tuple[Assignment, ShipmentChange | None]:
        shipment = await self._locked(session, request.shipment_id)
        if await shipments.has_change(session, shipment.id, request.change_id):
            retried = Assignment(  # a retry of this assignment, which had committed
                partner_id=shipment.partner_id,
                changed=True,
                outgoing=await self._unsent(session, shipment.id),
            )
            return retried, _change(
                shipment, request.sequence, shipment.status, shipment.partner_id
            )
        if shipment.status is not ShipmentStatus.PLACED:
            return Assignment(partner_id=shipment.partner_id, changed=False), None
        event = ShipmentEventRecord(
            shipment_id=shipment.id,
            sequence=request.sequence,
            change_id=request.change_id,
            status=ShipmentStatus.PLACED,
            actor="system",
            occurred_at=request.occurred_at,
        )
        partner_id, outgoing = await self._assign(session, shipment, event, request.replacing)
        if partner_id is None:
            return Assignment(partner_id=request.replacing, changed=False), None
        assigned = Assignment(partner_id=partner_id, changed=True, outgoing=outgoing)
        change = _change(shipment, event.sequence, shipment.status, partner_id, request.replacing)
        return assigned, change

    @activity.defn(name=ActivityName.RECORD_EVENT)
    async def record_shipment_event(self, event: ShipmentEventRecord) -> Recorded:
        """Appends the event, moves the shipment to its status and stores the messages it causes.

        `recorded` is False when this change was already recorded (a retried activity). A
        sequence held by another change fails the activity (SequenceTaken), and it is retried.
        """
        async with self._sessions.begin() as session:
            shipment = await self._locked(session, event.shipment_id)
            recorded = await self._record(session, shipment, event)
            change = _change(shipment, event.sequence, event.status, shipment.partner_id)
            tracking = await _tracking(session, change)
        await self._publisher.publish(change, tracking)
        return recorded

    async def _record(
        self, session: AsyncSession, shipment: Shipment, event: ShipmentEventRecord
    ) -> Recorded:
        previous = shipment.status
        if not await shipments.add_event(session, event):
            return Recorded(recorded=False, outgoing=await self._unsent(session, shipment.id))
        if event.status is previous:  # a location scan
            return Recorded(recorded=True)
        await shipments.change(session, shipment.id, status=event.status)
        outgoing = await self._status_side_effects(session, shipment, previous, event)
        changed = WebhookEventType(f"shipment.{event.status}")
        webhook = _webhook_event(changed, shipment, event, shipment.partner_id)
        outgoing += await self._webhooks(session, shipment, [webhook])
        return Recorded(recorded=True, outgoing=outgoing)

    async def _status_side_effects(
        self,
        session: AsyncSession,
        shipment: Shipment,
        previous: ShipmentStatus,
        event: ShipmentEventRecord,
    ) -> Outgoing:
        key = f"{event.status}-{event.sequence}"
        if event.status is ShipmentStatus.OUT_FOR_DELIVERY:
            nonce = new_delivery_code_nonce()
            code = delivery_code(self._settings, shipment.id, nonce)
            await delivery_codes.issue(
                session,
                shipment.id,
                hash_delivery_code(self._settings, shipment.id, code),
                nonce,
                event.occurred_at + self._settings.delivery_code_lifetime,
            )
            return await self._notify(session, messages.out_for_delivery(shipment, key, nonce))
        if is_failed_attempt(previous, event.status):
            await delivery_codes.void(session, shipment.id)
        elif event.status is ShipmentStatus.DELIVERED:
            if not await delivery_codes.consume_verified(session, shipment.id):
                raise _refuse(
                    Refusal.CODE_NOT_VERIFIED, "Delivery needs the recipient's verified code"
                )
            return await self._notify(session, messages.delivered(shipment, key, event.occurred_at))
        elif event.status is ShipmentStatus.CANCELLED:
            partner = None
            if shipment.partner_id is not None:
                partner = await self._partner(session, shipment.partner_id)
            by_seller = event.actor != "system"
            seller = None if by_seller else await session.get(Seller, shipment.seller_id)
            reason = CancelReason.SELLER if by_seller else CancelReason.NO_PARTNER
            return await self._notify(
                session, messages.cancelled(shipment, key, reason, partner, seller)
            )
        return Outgoing()

    @activity.defn(name=ActivityName.FLAG_SHIPMENT)
    async def flag_shipment(self, request: FlagShipment) -> Outgoing:
        """Flags the shipment for operators; a passed estimate also tells the recipient."""
        async with self._sessions.begin() as session:
            shipment = await self._locked(session, request.shipment_id)
            await shipments.change(session, shipment.id, needs_attention=True)
            if request.reason is FlagReason.ESTIMATE_PASSED:
                return await self._notify(session, messages.delayed(shipment))
            return Outgoing()

    @activity.defn(name=ActivityName.STORE_REVIEW)
    async def store_review(self, review: StoreReview) -> None:
        async with self._sessions.begin() as session:
            await reviews.add(session, review.shipment_id, review.rating, review.comment)

    @activity.defn(name=ActivityName.REMIND_REVIEW)
    async def remind_review(self, reminder: ReviewReminder) -> Outgoing:
        async with self._sessions.begin() as session:
            shipment = await self._locked(session, reminder.shipment_id)
            return await self._notify(
                session, messages.review_reminder(shipment, reminder.delivered_at)
            )

    @property
    def all(self) -> list[Callable[..., Awaitable[object]]]:
        return [
            self.place_shipment,
            self.assign_partner,
            self.record_shipment_event,
            self.flag_shipment,
            self.store_review,
            self.remind_review,
        ]
