"""Which partner gets a shipment: the least loaded with room, ties by earliest signup."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction


@dataclass(frozen=True)
class Candidate:
    """A partner serving the shipment's zip, with its current load."""

    partner_id: uuid.UUID
    active_shipments: int
    capacity: int
    signed_up_at: datetime

    @property
    def has_room(self) -> bool:
        return self.active_shipments < self.capacity

    @property
    def load(self) -> Fraction:
        return Fraction(self.active_shipments, self.capacity)


def choose_partner(candidates: list[Candidate]) -> Candidate | None:
    with_room = [candidate for candidate in candidates if candidate.has_room]
    if not with_room:
        return None
    return min(with_room, key=lambda candidate: (candidate.load, candidate.signed_up_at))
