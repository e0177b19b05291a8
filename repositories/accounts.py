"""Seller, partner and operator accounts."""

import uuid
from typing import TypeVar

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from models.accounts import AnyAccount, Operator, Partner, Seller
from repositories.statements import table_of

Account = TypeVar("Account", Seller, Partner, Operator)

_BY_ID = {
    model: select(table_of(model)).where(table_of(model).c.id == bindparam("account_id"))
    for model in (Seller, Partner, Operator)
}


async def by_id(
    connection: AsyncConnection, model: type[Account], account_id: uuid.UUID
) -> Account | None:
    """The account as stored, detached (as if read by a session since closed): a Core read on a
    plain connection costs a third less than `session.get`, on every authenticated request.
    `session.merge(account, load=False)` takes it into a session that changes it."""
    row = (await connection.execute(_BY_ID[model], {"account_id": account_id})).mappings().first()
    if row is None:
        return None
    account = model(**row)
    make_transient_to_detached(account)
    return account


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
