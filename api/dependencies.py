"""`Annotated` dependency aliases used by the routers.

All are `async def`, even those that await nothing: FastAPI runs a plain `def` dependency in a
thread pool, a hop that cost more than the whole tracking query.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from temporalio.client import Client

from api.errors import Forbidden, Unauthorized
from api.resources import Resources
from api.security import Passwords, TokenClaims, decode_access_token
from fastship.settings import Settings
from models.accounts import Partner, Seller
from models.domain import Role


async def get_resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


ResourcesDep = Annotated[Resources, Depends(get_resources)]


async def get_settings(resources: ResourcesDep) -> Settings:
    return resources.settings


async def get_temporal(resources: ResourcesDep) -> Client:
    return resources.temporal


async def get_passwords(resources: ResourcesDep) -> Passwords:
    return resources.passwords


async def get_connection(resources: ResourcesDep) -> AsyncIterator[AsyncConnection]:
    """A bare connection, for hot read paths that need no ORM session."""
    async with resources.engine.connect() as connection:
        yield connection


async def get_session(resources: ResourcesDep) -> AsyncIterator[AsyncSession]:
    async with resources.sessions() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
ConnectionDep = Annotated[AsyncConnection, Depends(get_connection)]
TemporalDep = Annotated[Client, Depends(get_temporal)]
PasswordsDep = Annotated[Passwords, Depends(get_passwords)]

# One bearer scheme: either role's token, the route decides which it accepts.
_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/seller/token", auto_error=False)
BearerToken = Annotated[str | None, Depends(_bearer)]


async def get_claims(token: BearerToken, settings: SettingsDep) -> TokenClaims:
    if token is None:
        raise Unauthorized("This route needs a bearer token")
    return decode_access_token(settings, token)


Claims = Annotated[TokenClaims, Depends(get_claims)]

_MODELS: dict[Role, type[Seller] | type[Partner]] = {Role.SELLER: Seller, Role.PARTNER: Partner}


async def _load(session: AsyncSession, claims: TokenClaims) -> Seller | Partner:
    account: Seller | Partner | None = await session.get(_MODELS[claims.role], claims.subject)
    if account is None:
        raise Unauthorized("The account behind this token no longer exists")
    return account


async def get_current_account(claims: Claims, session: SessionDep) -> Seller | Partner:
    """The seller or partner the bearer token belongs to."""
    return await _load(session, claims)


async def get_current_seller(claims: Claims, session: SessionDep) -> Seller:
    if claims.role is not Role.SELLER:
        raise Forbidden("This route is for sellers; the token belongs to a delivery partner")
    seller = await _load(session, claims)
    assert isinstance(seller, Seller)
    return seller


async def get_current_partner(claims: Claims, session: SessionDep) -> Partner:
    if claims.role is not Role.PARTNER:
        raise Forbidden("This route is for delivery partners; the token belongs to a seller")
    partner = await _load(session, claims)
    assert isinstance(partner, Partner)
    return partner


CurrentAccount = Annotated[Seller | Partner, Depends(get_current_account)]
CurrentSeller = Annotated[Seller, Depends(get_current_seller)]
CurrentPartner = Annotated[Partner, Depends(get_current_partner)]
