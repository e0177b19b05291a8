"""Account rules: unique case-insensitive emails, Argon2id passwords, tokens carrying the role."""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import Conflict, Unauthorized
from api.security import AccessToken, hash_password, issue_access_token, verify_password
from fastship.settings import Settings
from models.accounts import Seller
from models.domain import Role


async def sign_up_seller(session: AsyncSession, name: str, email: str, password: str) -> Seller:
    seller = Seller(name=name, email=email, password_hash=await hash_password(password))
    session.add(seller)
    try:
        await session.commit()
    except IntegrityError as exc:
        raise Conflict("An account with this email already exists") from exc
    return seller


async def log_in_seller(
    session: AsyncSession, settings: Settings, email: str, password: str
) -> AccessToken:
    seller = await session.scalar(select(Seller).where(func.lower(Seller.email) == email.lower()))
    password_hash = seller.password_hash if seller else None
    if seller is None or not await verify_password(password_hash, password):
        raise Unauthorized("Incorrect email or password")
    return issue_access_token(settings, seller.id, Role.SELLER)
