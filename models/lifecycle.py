"""The shipment status graph: who may move a shipment from which status to which, and the
guards the workflow's Update validators run before anything is written to its history.

Import-pure: the workflow's validators and the unit tests use it directly.
"""

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from models.domain import ShipmentStatus
from models.workflow_io import CancelRequest, PartnerReport, Refusal

PLACED = ShipmentStatus.PLACED
IN_TRANSIT = ShipmentStatus.IN_TRANSIT
OUT_FOR_DELIVERY = ShipmentStatus.OUT_FOR_DELIVERY
DELIVERED = ShipmentStatus.DELIVERED
CANCELLED = ShipmentStatus.CANCELLED


class Actor(StrEnum):
    SELLER = "seller"
    PARTNER = "partner"
    SYSTEM = "system"  # the workflow itself, e.g. at the assignment deadline


TRANSITIONS: dict[tuple[ShipmentStatus, ShipmentStatus], frozenset[Actor]] = {
    (PLACED, IN_TRANSIT): frozenset({Actor.PARTNER}),
    (IN_TRANSIT, OUT_FOR_DELIVERY): frozenset({Actor.PARTNER}),
    (OUT_FOR_DELIVERY, DELIVERED): frozenset({Actor.PARTNER}),
    # A failed delivery attempt: back in transit, with a reason; the delivery code is voided.
    (OUT_FOR_DELIVERY, IN_TRANSIT): frozenset({Actor.PARTNER}),
    (PLACED, CANCELLED): frozenset({Actor.SELLER, Actor.SYSTEM}),
    (IN_TRANSIT, CANCELLED): frozenset({Actor.SELLER}),
}

# Location scans (a zip and a description, no status change) are accepted only in this status.
SCAN_STATUS = IN_TRANSIT


def is_failed_attempt(current: ShipmentStatus, new: ShipmentStatus) -> bool:
    return current is OUT_FOR_DELIVERY and new is IN_TRANSIT


def transition_error(current: ShipmentStatus, new: ShipmentStatus, actor: Actor) -> str | None:
    """Why `actor` may not move a shipment from `current` to `new`, or None if it may."""
    if current.is_final:
        return f"The shipment is {current}; it cannot change any more"
    allowed = TRANSITIONS.get((current, new))
    if allowed is None:
        return f"A shipment cannot go from {current} to {new}"
    if actor not in allowed:
        return f"A {actor} cannot move a shipment from {current} to {new}"
    return None


def scan_error(current: ShipmentStatus) -> str | None:
    """Why a location scan is refused in `current`, or None if it is accepted."""
    if current is not SCAN_STATUS:
        return f"Location scans are accepted only while {SCAN_STATUS}; the shipment is {current}"
    return None


class Refused(NamedTuple):
    """A command refused: the kind (the API's HTTP answer) and why, in words for the caller."""

    refusal: Refusal
    message: str


@dataclass(frozen=True)
class ShipmentFacts:
    """What the guards need to know of a shipment, as its workflow holds it."""

    status: ShipmentStatus
    placed: bool  # stored: before that, no command is accepted
    seller_id: uuid.UUID
    partner_id: uuid.UUID | None
    reviewed: bool


def report_refused(shipment: ShipmentFacts, report: PartnerReport) -> Refused | None:
    """Why a partner's status change or location scan is refused, or None if it is accepted."""
    if not shipment.placed or report.partner_id != shipment.partner_id:
        return Refused(Refusal.NOT_FOUND, "This shipment is not assigned to you")
    if report.status is None:
        error = scan_error(shipment.status)
    else:
        error = transition_error(shipment.status, report.status, Actor.PARTNER)
    if error is not None:
        return Refused(Refusal.INVALID_TRANSITION, error)
    failed_attempt = report.status and is_failed_attempt(shipment.status, report.status)
    if failed_attempt and not report.description:
        return Refused(
            Refusal.REASON_REQUIRED, "A failed delivery attempt needs a reason in `description`"
        )
    return None


def cancel_refused(shipment: ShipmentFacts, request: CancelRequest) -> Refused | None:
    """Why a seller's cancellation is refused, or None if it is accepted."""
    if not shipment.placed or request.seller_id != shipment.seller_id:
        return Refused(Refusal.NOT_FOUND, "No such shipment of yours")
    if shipment.status is CANCELLED:
        return Refused(Refusal.ALREADY_CANCELLED, "The shipment is already cancelled")
    error = transition_error(shipment.status, CANCELLED, Actor.SELLER)
    if error is not None:
        return Refused(Refusal.INVALID_TRANSITION, error)
    return None


def review_refused(shipment: ShipmentFacts) -> Refused | None:
    """Why the recipient's review is refused, or None if it is accepted."""
    if shipment.status is not DELIVERED:
        return Refused(Refusal.NOT_DELIVERED, "Only a delivered shipment can be reviewed")
    if shipment.reviewed:
        return Refused(Refusal.ALREADY_REVIEWED, "This shipment has already been reviewed")
    return None
