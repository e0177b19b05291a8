"""Partners as assignment candidates."""

import uuid

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.accounts import Partner
from models.assignment import Candidate
from models.shipments import Shipment
from repositories.shipments import ACTIVE


def eligible() -> ColumnElement[bool]:
    """Which partners may receive shipments: those who verified their email."""
    return Partner.email_verified_at.is_not(None)


async def lock_candidates(
    session: AsyncSession, zip_code: str, *, excluding: uuid.UUID | None = None
) -> list[Candidate]:
    """The eligible partners serving `zip_code`, locked, with their active shipment counts.

    Every assignment locks the candidates first (in id order, so two never deadlock), so the
    counts read after the lock include every assignment made before it: no partner is overfilled.
    """
    query = (
        select(Partner.id, Partner.max_handling_capacity, Partner.created_at)
        .where(Partner.serviceable_zip_codes.any_() == zip_code, eligible())
        .order_by(Partner.id)
        .with_for_update()
    )
    if excluding is not None:
        query = query.where(Partner.id != excluding)
    partners = (await session.execute(query)).all()
    if not partners:
        return []
    counts = dict(
        (
            await session.execute(
                select(Shipment.partner_id, func.count())
                .where(Shipment.partner_id.in_([partner.id for partner in partners]), ACTIVE)
                .group_by(Shipment.partner_id)
            )
        ).all()
    )
    return [
        Candidate(
            partner_id=partner.id,
            active_shipments=counts.get(partner.id, 0),
            capacity=partner.max_handling_capacity,
            signed_up_at=partner.created_at,
        )
        for partner in partners
    ]


async def name_and_email(session: AsyncSession, partner_id: uuid.UUID) -> tuple[str, str]:
    row = (
        await session.execute(select(Partner.name, Partner.email).where(Partner.id == partner_id))
    ).one()
    return row.name, row.email


async def zip_codes(session: AsyncSession, partner_id: uuid.UUID) -> list[str]:
    query = select(Partner.serviceable_zip_codes).where(Partner.id == partner_id)
    return list(await session.scalar(query) or [])
