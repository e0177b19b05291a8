"""`Annotated` dependency aliases used by the routers."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from api.errors import Forbidden, Unauthorized
from api.resources import Resources
from api.security import decode_access_token
from fastship.settings import Settings
from models.accounts import Seller
from models.domain import Role


def get_resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


ResourcesDep = Annotated[Resources, Depends(get_resources)]


def get_settings(resources: ResourcesDep) -> Settings:
    return resources.settings


def get_temporal(resources: ResourcesDep) -> Client:
    return resources.temporal


async def get_session(resources: ResourcesDep) -> AsyncIterator[AsyncSession]:
    async with resources.sessions() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
TemporalDep = Annotated[Client, Depends(get_temporal)]

_seller_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/seller/token", auto_error=False)


async def get_current_seller(
    token: Annotated[str | None, Depends(_seller_bearer)],
    settings: SettingsDep,
    session: SessionDep,
) -> Seller:
    if token is None:
        raise Unauthorized("This route needs a seller's bearer token")
    claims = decode_access_token(settings, token)
    if claims.role is not Role.SELLER:
        raise Forbidden("This route is for sellers; the token belongs to another role")
    seller = await session.get(Seller, claims.subject)
    if seller is None:
        raise Unauthorized("The account behind this token no longer exists")
    return seller


CurrentSeller = Annotated[Seller, Depends(get_current_seller)]
