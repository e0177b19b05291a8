"""Recipients' reviews: one per shipment."""

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from models.shipments import Review


async def add(
    session: AsyncSession, shipment_id: uuid.UUID, rating: int, comment: str | None
) -> None:
    """Stores the review; a retried write of the same shipment's review changes nothing."""
    await session.execute(
        insert(Review)
        .values(shipment_id=shipment_id, rating=rating, comment=comment)
        .on_conflict_do_nothing(index_elements=[Review.shipment_id])
    )


async def get(session: AsyncSession, shipment_id: uuid.UUID) -> Review | None:
    return await session.get(Review, shipment_id)
