"""`Annotated` dependency aliases used by the routers.

All are `async def`, even those that await nothing: FastAPI runs a plain `def` dependency in a
thread pool, a hop that cost more than the whole tracking query.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from api.browser_session import SESSION_COOKIE, check_csrf
from api.errors import Forbidden, Unauthorized, redis_required
from api.ratelimit import RateLimiter, limit_account_route
from api.resources import Resources
from api.revocation import is_revoked
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


async def get_redis(resources: ResourcesDep) -> Redis:
    return resources.redis


async def get_limiter(resources: ResourcesDep) -> RateLimiter:
    return resources.limiter


async def get_session(resources: ResourcesDep) -> AsyncIterator[AsyncSession]:
    async with resources.sessions() as session:
        yield session


async def get_read_session(resources: ResourcesDep) -> AsyncIterator[AsyncSession]:
    async with resources.reads() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
# For routes and dependencies that only read: each statement commits on its own, so no BEGIN and
# ROLLBACK round trips. What writes (a command's checks included) uses SessionDep's transaction.
ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session)]
TemporalDep = Annotated[Client, Depends(get_temporal)]
PasswordsDep = Annotated[Passwords, Depends(get_passwords)]
RedisDep = Annotated[Redis, Depends(get_redis)]
LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]

AccountRouteLimit = Callable[[str, str], Awaitable[None]]


async def get_account_route_limit(request: Request, limiter: LimiterDep) -> AccountRouteLimit:
    """`await limit(route, account)` counts the request per client IP and per account."""

    async def limit(route: str, account: str) -> None:
        await limit_account_route(limiter, request, route, account)

    return limit


AccountRouteLimitDep = Annotated[AccountRouteLimit, Depends(get_account_route_limit)]

# One bearer scheme: either role's token, the route decides which it accepts.
_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/seller/token", auto_error=False)
BearerToken = Annotated[str | None, Depends(_bearer)]


async def get_claims(request: Request, bearer: BearerToken, resources: ResourcesDep) -> TokenClaims:
    """A valid, unrevoked token within its rate limit; fails closed when Redis cannot tell.

    The token comes from the Authorization header, or else from the web app's session cookie,
    whose changes must carry its CSRF token.
    """
    token = bearer or request.cookies.get(SESSION_COOKIE)
    if token is None:
        raise Unauthorized("This route needs a bearer token (or the web app's session)")
    claims = decode_access_token(resources.settings, token)
    if bearer is None:
        check_csrf(request, resources.settings, claims)
    limiter = resources.limiter
    async with redis_required("checking the access token"):
        # Sent together; the revocation decides first, so a revoked token is told so.
        revoked, spent = await asyncio.gather(
            is_revoked(resources.redis, claims), limiter.count(limiter.per_token(claims.token_id))
        )
        if revoked:
            raise Unauthorized("The access token was revoked; log in again")
        if spent:
            raise await limiter.refusal(spent)
    return claims


Claims = Annotated[TokenClaims, Depends(get_claims)]

_MODELS: dict[Role, type[Seller] | type[Partner]] = {Role.SELLER: Seller, Role.PARTNER: Partner}
_WRONG_ROLE = {
    Role.SELLER: "This route is for sellers; the token belongs to a delivery partner",
    Role.PARTNER: "This route is for delivery partners; the token belongs to a seller",
}


def require_role(claims: TokenClaims, role: Role) -> None:
    if claims.role is not role:
        raise Forbidden(_WRONG_ROLE[role])


async def _load(session: AsyncSession, claims: TokenClaims) -> Seller | Partner:
    account: Seller | Partner | None = await session.get(_MODELS[claims.role], claims.subject)
    # Its connection back to the pool now: a command's route goes on to wait for Temporal.
    await session.close()
    if account is None:
        raise Unauthorized("The account behind this token no longer exists")
    return account


async def get_current_account(claims: Claims, session: ReadSessionDep) -> Seller | Partner:
    """The seller or partner the bearer token belongs to."""
    return await _load(session, claims)


async def get_current_seller(claims: Claims, session: ReadSessionDep) -> Seller:
    require_role(claims, Role.SELLER)
    seller = await _load(session, claims)
    assert isinstance(seller, Seller)
    return seller


async def get_current_partner(claims: Claims, session: ReadSessionDep) -> Partner:
    require_role(claims, Role.PARTNER)
    partner = await _load(session, claims)
    assert isinstance(partner, Partner)
    return partner


CurrentAccount = Annotated[Seller | Partner, Depends(get_current_account)]
CurrentSeller = Annotated[Seller, Depends(get_current_seller)]
CurrentPartner = Annotated[Partner, Depends(get_current_partner)]
