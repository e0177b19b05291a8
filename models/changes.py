"""A shipment's change as it travels through Redis Streams, from the activity that committed it
to the API processes whose clients watch it.

One global stream carries every change (each API process reads it once and fans out); each seller
and partner also has a stream of their own, holding the same entries under the same ids, from
which their feed resumes. A change names the shipment and its timeline sequence (so a client drops
a duplicate), never a recipient's contact details.
"""

import uuid
from dataclasses import dataclass

from models.domain import Role, ShipmentStatus

CHANGES_STREAM = "fastship:changes"
GLOBAL_STREAM_LENGTH = 100_000  # about: Redis trims whole nodes ("MAXLEN ~")
ACCOUNT_STREAM_LENGTH = 1_000


def account_stream(role: Role, account_id: uuid.UUID) -> str:
    return f"{CHANGES_STREAM}:{role.value}:{account_id}"


@dataclass(frozen=True)
class ShipmentChange:
    shipment_id: uuid.UUID
    sequence: int  # of the timeline's newest event once the change is stored
    status: ShipmentStatus
    tracking_code: str
    seller_id: uuid.UUID
    partner_id: uuid.UUID | None
    # A partner who lost the shipment by this change (a reassignment) hears of it too.
    previous_partner_id: uuid.UUID | None = None

    @property
    def partners(self) -> list[uuid.UUID]:
        """The partners it concerns: the one it is assigned to, and one who just lost it."""
        return list(dict.fromkeys(p for p in (self.partner_id, self.previous_partner_id) if p))

    @property
    def streams(self) -> list[str]:
        """The accounts' streams this change is added to, beside the global one."""
        return [
            account_stream(Role.SELLER, self.seller_id),
            *(account_stream(Role.PARTNER, partner) for partner in self.partners),
        ]

    def to_fields(self) -> dict[str, str]:
        return {
            "shipment_id": str(self.shipment_id),
            "sequence": str(self.sequence),
            "status": self.status.value,
            "tracking_code": self.tracking_code,
            "seller_id": str(self.seller_id),
            "partner_id": str(self.partner_id or ""),
            "previous_partner_id": str(self.previous_partner_id or ""),
        }

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> "ShipmentChange":
        return cls(
            shipment_id=uuid.UUID(fields["shipment_id"]),
            sequence=int(fields["sequence"]),
            status=ShipmentStatus(fields["status"]),
            tracking_code=fields["tracking_code"],
            seller_id=uuid.UUID(fields["seller_id"]),
            partner_id=_optional_id(fields["partner_id"]),
            previous_partner_id=_optional_id(fields["previous_partner_id"]),
        )

    def concerns(self, role: Role, account_id: uuid.UUID) -> bool:
        if role is Role.SELLER:
            return self.seller_id == account_id
        return account_id in self.partners


def _optional_id(text: str) -> uuid.UUID | None:
    return uuid.UUID(text) if text else None
