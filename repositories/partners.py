"""Partners as assignment candidates."""

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.accounts import Partner
from models.assignment import Candidate, choose_partner
from models.shipments import Shipment
from repositories.shipments import ACTIVE
from repositories.statements import run


def eligible() -> ColumnElement[bool]:
    """Which partners may receive shipments: those who verified their email."""
    return Partner.email_verified_at.is_not(None)


@dataclass(frozen=True)
class Candidates:
    """The partners who may take a shipment, locked and loaded whole, with their loads."""

    partners: dict[uuid.UUID, Partner]
    loads: list[Candidate]

    def choose(self) -> Partner | None:
        chosen = choose_partner(self.loads)
        return None if chosen is None else self.partners[chosen.partner_id]


_SERVING = (
    select(Partner)
    .where(Partner.serviceable_zip_codes.any_() == bindparam("zip_code", type_=String), eligible())
    .order_by(Partner.id)
    .with_for_update()
)
_SERVING_BUT = _SERVING.where(Partner.id != bindparam("excluding"))
_LOADS = (
    select(Shipment.partner_id, func.count().label("active"))
    .where(Shipment.partner_id.in_(bindparam("partner_ids", expanding=True)), ACTIVE)
    .group_by(Shipment.partner_id)
)


async def lock_candidates(
    session: AsyncSession, zip_code: str, *, excluding: uuid.UUID | None = None
) -> Candidates:
    """The eligible partners serving `zip_code`, locked, with their active shipment counts.

    Every assignment locks the candidates first (in id order, so two never deadlock), so the
    counts read after the lock include every assignment made before it: no partner is overfilled.
    (Read in a second statement: one statement's snapshot predates the locks it waited for.)
    """
    if excluding is None:
        query = await session.scalars(_SERVING, {"zip_code": zip_code})
    else:
        query = await session.scalars(_SERVING_BUT, {"zip_code": zip_code, "excluding": excluding})
    partners = list(query)
    if not partners:
        return Candidates({}, [])
    loads = await run(session, _LOADS, {"partner_ids": [partner.id for partner in partners]})
    counts: dict[uuid.UUID, int] = {row.partner_id: row.active for row in loads}
    candidates = [
        Candidate(
            partner_id=partner.id,
            active_shipments=counts.get(partner.id, 0),
            capacity=partner.max_handling_capacity,
            signed_up_at=partner.created_at,
        )
        for partner in partners
    ]
    return Candidates({partner.id: partner for partner in partners}, candidates)


async def zip_codes(session: AsyncSession, partner_id: uuid.UUID) -> list[str]:
    query = select(Partner.serviceable_zip_codes).where(Partner.id == partner_id)
    return list(await session.scalar(query) or [])
