"""Account rules: unique case-insensitive emails, Argon2id passwords, tokens carrying the role."""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import Conflict, Unauthorized
from api.security import AccessToken, Passwords, issue_access_token
from fastship.settings import Settings
from models.accounts import Partner, Seller
from models.domain import Role
from repositories import accounts

ROLES: dict[type[Seller] | type[Partner], Role] = {Seller: Role.SELLER, Partner: Role.PARTNER}


async def sign_up(session: AsyncSession, account: Seller | Partner) -> None:
    session.add(account)
    try:
        await session.commit()
    except IntegrityError as exc:
        raise Conflict("An account with this email already exists") from exc
    await session.refresh(account)


async def log_in(
    session: AsyncSession,
    settings: Settings,
    passwords: Passwords,
    model: type[Seller] | type[Partner],
    email: str,
    password: str,
) -> AccessToken:
    account = await accounts.find_by_email(session, model, email)
    check = await passwords.check(account.password_hash if account else None, password)
    if account is None or not check.matches:
        raise Unauthorized("Incorrect email or password")
    if check.new_hash is not None:  # hashed with older parameters: upgrade it now
        account.password_hash = check.new_hash
        await session.commit()
    return issue_access_token(settings, account.id, ROLES[model])
