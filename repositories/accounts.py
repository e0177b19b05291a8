"""Seller, partner and operator accounts."""

import uuid

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.accounts import AnyAccount, Partner, Seller


async def find_by_email(
    session: AsyncSession, model: type[AnyAccount], email: str
) -> AnyAccount | None:
    account: AnyAccount | None = await session.scalar(
        select(model).where(func.lower(model.email) == email.lower())
    )
    return account


async def get(
    session: AsyncSession, model: type[Seller] | type[Partner], account_id: uuid.UUID | None
) -> Seller | Partner | None:
    if account_id is None:
        return None
    account: Seller | Partner | None = await session.get(model, account_id)
    return account


async def mark_verified(
    session: AsyncSession, model: type[Seller] | type[Partner], account_id: uuid.UUID
) -> bool:
    """Marks the email verified; False if the account does not exist (any more)."""
    found = await session.scalar(
        update(model)
        .where(model.id == account_id)
        .values(email_verified_at=func.coalesce(model.email_verified_at, func.now()))
        .returning(model.id)
    )
    return found is not None


async def delete_unverified(
    session: AsyncSession, model: type[Seller] | type[Partner], account_id: uuid.UUID
) -> bool:
    removed = await session.scalar(
        delete(model)
        .where(model.id == account_id, model.email_verified_at.is_(None))
        .returning(model.id)
    )
    return removed is not None
