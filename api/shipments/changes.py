"""A shipment's changes after its creation: a partner's report (a status change or a location
scan) and a seller's cancellation. The API checks what only it can (the stored row of a workflow
that may have ended, the delivery code, a repeated Idempotency-Key), then the workflow decides.
"""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client, WorkflowHandle

from api.errors import Unprocessable
from api.shipments import service
from api.shipments.errors import (
    AlreadyCancelled,
    DeliveryCodeLocked,
    DeliveryCodeRequired,
    DeliveryCodeWrong,
    InvalidTransition,
    NoValidDeliveryCode,
    ShipmentNotFound,
)
from api.shipments.schemas import ShipmentEventCreate
from fastship.secrets import hash_delivery_code
from fastship.settings import Settings
from models.accounts import Partner, Seller
from models.domain import Role, ShipmentStatus, ShipmentTag
from models.workflow_io import CancelRequest, PartnerReport
from repositories import delivery_codes, shipments
from repositories.delivery_codes import CodeCheck
from workflows.shipment import ShipmentWorkflow


async def report(
    reads: AsyncSession,
    session: AsyncSession,
    temporal: Client,
    settings: Settings,
    partner: Partner,
    shipment_id: uuid.UUID,
    body: ShipmentEventCreate,
    idempotency_key: str | None,
    count_code_guess: Callable[[], Awaitable[None]],
) -> None:
    """The assigned partner's report, stored by the workflow before this returns.

    Its checks read through `reads`; only the delivery code's attempt is written, in `session`.
    """
    reader = shipments.Reader(Role.PARTNER, partner.id)
    status = await shipments.status_for(reads, reader, shipment_id)
    if status is None:
        raise ShipmentNotFound("No such shipment assigned to you")
    change = await _Change.of(reads, shipment_id, "report", partner.id, idempotency_key, body)
    await reads.commit()  # its connection back first: a request never holds two of the pool's
    if not change.made:
        await _check_report(session, settings, shipment_id, status, body, count_code_guess)
    request = PartnerReport(
        partner_id=partner.id,
        status=body.status,
        location_zip=body.location_zip,
        description=body.description,
    )
    await change.send(
        reads,
        temporal,
        settings,
        lambda handle, update_id: handle.execute_update(
            ShipmentWorkflow.report, request, id=update_id
        ),
    )


async def cancel(
    reads: AsyncSession,
    temporal: Client,
    settings: Settings,
    seller: Seller,
    shipment_id: uuid.UUID,
    reason: str | None,
    idempotency_key: str | None,
) -> None:
    """The owner's cancellation, stored by the workflow before this returns."""
    status = await shipments.status_for(
        reads, shipments.Reader(Role.SELLER, seller.id), shipment_id
    )
    if status is None:
        raise ShipmentNotFound("No such shipment of yours")
    keyed = {"reason": reason}
    change = await _Change.of(reads, shipment_id, "cancel", seller.id, idempotency_key, keyed)
    if not change.made and status.is_final:  # its workflow may have ended: answer from the row
        if status is ShipmentStatus.CANCELLED:
            raise AlreadyCancelled("The shipment is already cancelled")
        raise InvalidTransition(f"The shipment is {status}; it cannot change any more")
    request = CancelRequest(seller_id=seller.id, reason=reason)
    await change.send(
        reads,
        temporal,
        settings,
        lambda handle, update_id: handle.execute_update(
            ShipmentWorkflow.cancel, request, id=update_id
        ),
    )


@dataclass(frozen=True)
class _Change:
    """A change for a shipment's workflow, and whether a request with its Idempotency-Key
    already made it (then it is confirmed, not made again)."""

    shipment_id: uuid.UUID
    keyed: service.KeyedChange | None
    made: bool

    @classmethod
    async def of(
        cls,
        session: AsyncSession,
        shipment_id: uuid.UUID,
        kind: str,
        account_id: uuid.UUID,
        idempotency_key: str | None,
        body: BaseModel | dict[str, Any],
    ) -> "_Change":
        if idempotency_key is None:
            return cls(shipment_id, None, made=False)
        fields = body.model_dump() if isinstance(body, BaseModel) else body
        keyed = service.KeyedChange.of(kind, account_id, idempotency_key, fields)
        return cls(shipment_id, keyed, await service.already_made(session, shipment_id, keyed))

    async def send(
        self,
        session: AsyncSession,
        temporal: Client,
        settings: Settings,
        update: Callable[[WorkflowHandle[Any, Any], str | None], Awaitable[object]],
    ) -> None:
        update_id = self.keyed.update_id if self.keyed else None
        await (service.confirm if self.made else service.command)(
            session,
            temporal,
            settings,
            self.shipment_id,
            lambda handle: update(handle, update_id),
        )


# Tags are the seller's own labels, stored by the API: they sort the seller's lists and change
# nothing in the shipment's lifecycle, so they are no workflow state (and send no message).


async def add_tag(
    session: AsyncSession, seller: Seller, shipment_id: uuid.UUID, tag: ShipmentTag
) -> None:
    await _tags_changed(session, await shipments.add_tag(session, shipment_id, seller.id, tag))


async def remove_tag(
    session: AsyncSession, seller: Seller, shipment_id: uuid.UUID, tag: ShipmentTag
) -> None:
    await _tags_changed(session, await shipments.remove_tag(session, shipment_id, seller.id, tag))


async def _tags_changed(session: AsyncSession, found: bool) -> None:
    if not found:
        raise ShipmentNotFound("No such shipment of yours")
    await session.commit()


async def _check_report(
    session: AsyncSession,
    settings: Settings,
    shipment_id: uuid.UUID,
    status: ShipmentStatus,
    body: ShipmentEventCreate,
    count_code_guess: Callable[[], Awaitable[None]],
) -> None:
    """What the API checks before a report goes to the workflow (which checks the rest)."""
    if status.is_final:  # its workflow may have ended: answer from what is stored
        raise InvalidTransition(f"The shipment is {status}; it cannot change any more")
    if body.verification_code is not None:  # a guess at the code: counted before it is checked
        await count_code_guess()
    if body.status is None and body.location_zip is None:
        raise Unprocessable("Give a `status`, or a `location_zip` for a location scan")
    if body.status is ShipmentStatus.DELIVERED:
        await _check_delivery_code(session, settings, shipment_id, body.verification_code)
    elif body.verification_code is not None:
        raise Unprocessable("`verification_code` goes only with `delivered`")


async def _check_delivery_code(
    session: AsyncSession, settings: Settings, shipment_id: uuid.UUID, code: str | None
) -> None:
    """The recipient's code, checked against its hash; each attempt is stored (and counted
    towards the lock) whatever the outcome."""
    if code is None:
        raise DeliveryCodeRequired("`delivered` needs the recipient's `verification_code`")
    outcome, tries_left = await delivery_codes.check(
        session, shipment_id, hash_delivery_code(settings, shipment_id, code)
    )
    await session.commit()
    if outcome is CodeCheck.WRONG:
        raise DeliveryCodeWrong(
            f"The delivery code is wrong; {tries_left} tries left", tries_left=tries_left
        )
    if outcome is CodeCheck.LOCKED:
        raise DeliveryCodeLocked(
            "Too many wrong delivery codes; record a failed attempt and go out for delivery "
            "again to send the recipient a new code"
        )
    if outcome is CodeCheck.NONE_VALID:
        raise NoValidDeliveryCode(
            "The shipment has no valid delivery code (not out for delivery, or expired)"
        )
