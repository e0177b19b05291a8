"""Seller and partner accounts."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.accounts import Partner, Seller


async def find_by_email(
    session: AsyncSession, model: type[Seller] | type[Partner], email: str
) -> Seller | Partner | None:
    account: Seller | Partner | None = await session.scalar(
        select(model).where(func.lower(model.email) == email.lower())
    )
    return account
