"""Activities that write shipment state, timeline events and their messages to PostgreSQL.

Each runs in one transaction and is idempotent: a retried activity changes nothing twice.
"""

import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import messages
from fastship.secrets import hash_delivery_code, issue_review_token, new_delivery_code
from fastship.settings import Settings
from models.accounts import Seller
from models.assignment import Candidate, choose_partner
from models.domain import ShipmentStatus
from models.lifecycle import is_failed_attempt
from models.shipments import Shipment
from models.workflow_io import (
    ActivityName,
    Assignment,
    AssignPartner,
    FlagReason,
    FlagShipment,
    Placement,
    PlaceShipment,
    Refusal,
    ReviewReminder,
    ShipmentEventRecord,
    StoreReview,
)
from repositories import delivery_codes, outbox, partners, reviews, shipments
from repositories.outbox import Message

TRACKING_CODE_BYTES = 24  # 192 bits


def _refuse(refusal: Refusal, message: str) -> ApplicationError:
    return ApplicationError(message, type=refusal, non_retryable=True)


class ShipmentActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = sessions
        self._settings = settings

    async def _send(self, session: AsyncSession, batch: list[Message]) -> None:
        for message in batch:
            await outbox.add(session, message)

    async def _locked(self, session: AsyncSession, shipment_id: uuid.UUID) -> Shipment:
        shipment = await shipments.lock(session, shipment_id)
        if shipment is None:
            raise _refuse(Refusal.NOT_FOUND, f"shipment {shipment_id} is not stored")
        return shipment

    def _review_link(self, shipment: Shipment, delivered_at: datetime) -> str:
        expires_at = delivered_at + self._settings.review_window
        token = issue_review_token(self._settings, shipment.id, expires_at)
        return f"{self._settings.public_url}/api/v1/review/{token}"

    async def _assign(
        self,
        session: AsyncSession,
        shipment: Shipment,
        event: ShipmentEventRecord,
        replacing: uuid.UUID | None,
    ) -> uuid.UUID | None:
        """Gives the shipment to the least loaded eligible partner; None if all are full."""
        candidates = await partners.lock_candidates(
            session, shipment.destination_zip, excluding=replacing
        )
        return await self._give(session, shipment, event, choose_partner(candidates), replacing)

    async def _give(
        self,
        session: AsyncSession,
        shipment: Shipment,
        event: ShipmentEventRecord,
        chosen: Candidate | None,
        replacing: uuid.UUID | None,
    ) -> uuid.UUID | None:
        """Records the assignment to `chosen` (locked by the caller) and tells who it concerns."""
        if chosen is None:
            return None
        name, email = await partners.name_and_email(session, chosen.partner_id)
        event.description = f"Assigned to delivery partner {name}"
        await shipments.add_event(session, event)
        values: dict[str, object] = {"partner_id": chosen.partner_id}
        if replacing is not None:
            values["reassignments"] = shipment.reassignments + 1
        await shipments.change(session, shipment.id, **values)
        key = f"assigned-{event.sequence}"
        tracking = messages.tracking_link(self._settings.public_url, shipment)
        batch = messages.assigned(shipment, key, email, tracking, first=replacing is None)
        if replacing is not None:
            _, previous_email = await partners.name_and_email(session, replacing)
            batch += messages.unassigned(shipment, key, previous_email)
        await self._send(session, batch)
        return chosen.partner_id

    @activity.defn(name=ActivityName.PLACE_SHIPMENT)
    async def place_shipment(self, request: PlaceShipment) -> Placement:
        """Stores the shipment and its `placed` event, and tries to assign a partner at once.

        Refused (nothing stored) when no partner serves the zip at all.
        """
        async with self._sessions.begin() as session:
            stored = await shipments.get(session, request.shipment_id)
            if stored is not None:  # a retry of a placement that committed
                return Placement(
                    status=stored.status,
                    partner_id=stored.partner_id,
                    events_recorded=await shipments.count_events(session, stored.id),
                )
            zip_code = request.order.destination_zip
            candidates = await partners.lock_candidates(session, zip_code)
            if not candidates:
                raise _refuse(Refusal.ZIP_NOT_SERVED, f"No delivery partner serves zip {zip_code}")
            shipment = await shipments.insert_shipment(
                session, request, secrets.token_urlsafe(TRACKING_CODE_BYTES)
            )
            await shipments.add_event(
                session,
                ShipmentEventRecord(
                    shipment_id=request.shipment_id,
                    sequence=request.sequence,
                    status=ShipmentStatus.PLACED,
                    actor=f"seller:{request.seller_id}",
                    occurred_at=request.placed_at,
                    description="Shipment placed",
                ),
            )
            assignment = ShipmentEventRecord(
                shipment_id=shipment.id,
                sequence=request.sequence + 1,
                status=ShipmentStatus.PLACED,
                actor="system",
                occurred_at=request.placed_at,
            )
            chosen = choose_partner(candidates)
            partner_id = await self._give(session, shipment, assignment, chosen, replacing=None)
            return Placement(
                status=ShipmentStatus.PLACED,
                partner_id=partner_id,
                events_recorded=1 + (partner_id is not None),
            )

    @activity.defn(name=ActivityName.ASSIGN_PARTNER)
    async def assign_partner(self, request: AssignPartner) -> Assignment:
        """Assigns a waiting shipment, or reassigns one its partner did not pick up in time."""
        async with self._sessions.begin() as session:
            shipment = await self._locked(session, request.shipment_id)
            if shipment.status is not ShipmentStatus.PLACED:
                return Assignment(partner_id=shipment.partner_id, changed=False)
            if shipment.partner_id != request.replacing:  # a retry of an assignment that committed
                return Assignment(partner_id=shipment.partner_id, changed=True)
            event = ShipmentEventRecord(
                shipment_id=shipment.id,
                sequence=request.sequence,
                status=ShipmentStatus.PLACED,
                actor="system",
                occurred_at=request.occurred_at,
            )
            partner_id = await self._assign(session, shipment, event, request.replacing)
            if partner_id is None:
                return Assignment(partner_id=request.replacing, changed=False)
            return Assignment(partner_id=partner_id, changed=True)

    @activity.defn(name=ActivityName.RECORD_EVENT)
    async def record_shipment_event(self, event: ShipmentEventRecord) -> bool:
        """Appends the event, moves the shipment to its status and stores the messages it causes.

        Returns False when the event was already recorded (a retried activity), changing nothing.
        """
        async with self._sessions.begin() as session:
            shipment = await self._locked(session, event.shipment_id)
            previous = shipment.status
            if not await shipments.add_event(session, event):
                return False
            if event.status is not previous:
                await shipments.change(session, shipment.id, status=event.status)
            await self._status_side_effects(session, shipment, previous, event)
            return True

    async def _status_side_effects(
        self,
        session: AsyncSession,
        shipment: Shipment,
        previous: ShipmentStatus,
        event: ShipmentEventRecord,
    ) -> None:
        key = f"{event.status}-{event.sequence}"
        tracking = messages.tracking_link(self._settings.public_url, shipment)
        if event.status is ShipmentStatus.OUT_FOR_DELIVERY:
            code = new_delivery_code()
            await delivery_codes.issue(
                session,
                shipment.id,
                hash_delivery_code(self._settings, shipment.id, code),
                event.occurred_at + self._settings.delivery_code_lifetime,
            )
            await self._send(session, messages.out_for_delivery(shipment, key, code, tracking))
        elif is_failed_attempt(previous, event.status):
            await delivery_codes.void(session, shipment.id)
        elif event.status is ShipmentStatus.DELIVERED:
            if not await delivery_codes.consume_verified(session, shipment.id):
                raise _refuse(
                    Refusal.CODE_NOT_VERIFIED, "Delivery needs the recipient's verified code"
                )
            await self._send(
                session,
                messages.delivered(shipment, key, self._review_link(shipment, event.occurred_at)),
            )
        elif event.status is ShipmentStatus.CANCELLED and previous is not ShipmentStatus.CANCELLED:
            partner_email = None
            if shipment.partner_id is not None:
                _, partner_email = await partners.name_and_email(session, shipment.partner_id)
            seller_email = None
            if event.actor == "system":  # the seller did not cancel it, so tell them
                seller = await session.get(Seller, shipment.seller_id)
                seller_email = seller.email if seller else None
            reason = event.description or "cancelled"
            await self._send(
                session, messages.cancelled(shipment, key, reason, partner_email, seller_email)
            )

    @activity.defn(name=ActivityName.FLAG_SHIPMENT)
    async def flag_shipment(self, request: FlagShipment) -> None:
        """Flags the shipment for operators; a passed estimate also tells the recipient."""
        async with self._sessions.begin() as session:
            shipment = await self._locked(session, request.shipment_id)
            await shipments.change(session, shipment.id, needs_attention=True)
            if request.reason is FlagReason.ESTIMATE_PASSED:
                tracking = messages.tracking_link(self._settings.public_url, shipment)
                await self._send(session, messages.delayed(shipment, tracking))

    @activity.defn(name=ActivityName.STORE_REVIEW)
    async def store_review(self, review: StoreReview) -> None:
        async with self._sessions.begin() as session:
            await reviews.add(session, review.shipment_id, review.rating, review.comment)

    @activity.defn(name=ActivityName.REMIND_REVIEW)
    async def remind_review(self, reminder: ReviewReminder) -> None:
        async with self._sessions.begin() as session:
            shipment = await self._locked(session, reminder.shipment_id)
            link = self._review_link(shipment, reminder.delivered_at)
            await self._send(session, messages.review_reminder(shipment, link))

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
