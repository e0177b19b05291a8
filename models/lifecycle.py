"""The shipment status graph: who may move a shipment from which status to which.

Import-pure: the workflow's validators and the unit tests use it directly.
"""

from enum import StrEnum

from models.domain import ShipmentStatus

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
