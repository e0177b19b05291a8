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
from models.accounts import Operator, Partner, Seller
from models.domain import Role
from repositories import accounts


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

# One bearer scheme: any role's token, the route decides which it accepts.
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

_ROLE_NAMES = {  # whom a route is for, and whom a token belongs to
    Role.SELLER: ("sellers", "a seller"),
    Role.PARTNER: ("delivery partners", "a delivery partner"),
    Role.OPERATOR: ("operators", "an operator"),
}


def require_role(claims: TokenClaims, *roles: Role) -> None:
    if claims.role not in roles:
        meant_for = " and ".join(_ROLE_NAMES[role][0] for role in roles)
        raise Forbidden(
            f"This route is for {meant_for}; the token belongs to {_ROLE_NAMES[claims.role][1]}"
        )


def require_shipment_party(claims: TokenClaims) -> None:
    """A seller or a partner: who a shipment can belong to (an operator reads through Temporal)."""
    require_role(claims, Role.SELLER, Role.PARTNER)


async def _load(
    resources: Resources, claims: TokenClaims, model: type[accounts.Account]
) -> accounts.Account:
    # Its connection back to the pool at once: a command's route goes on to wait for Temporal.
    async with resources.autocommit.connect() as connection:
        account = await accounts.by_id(connection, model, claims.subject)
    if account is None:
        raise Unauthorized("The account behind this token no longer exists")
    return account


async def get_current_account(claims: Claims, resources: ResourcesDep) -> Seller | Partner:
    """The seller or partner the bearer token belongs to."""
    require_shipment_party(claims)
    if claims.role is Role.SELLER:
        return await _load(resources, claims, Seller)
    return await _load(resources, claims, Partner)


async def get_current_seller(claims: Claims, resources: ResourcesDep) -> Seller:
    require_role(claims, Role.SELLER)
    return await _load(resources, claims, Seller)


async def get_current_partner(claims: Claims, resources: ResourcesDep) -> Partner:
    require_role(claims, Role.PARTNER)
    return await _load(resources, claims, Partner)


async def get_current_operator(claims: Claims, resources: ResourcesDep) -> Operator:
    require_role(claims, Role.OPERATOR)
    return await _load(resources, claims, Operator)


CurrentAccount = Annotated[Seller | Partner, Depends(get_current_account)]
CurrentSeller = Annotated[Seller, Depends(get_current_seller)]
CurrentPartner = Annotated[Partner, Depends(get_current_partner)]
CurrentOperator = Annotated[Operator, Depends(get_current_operator)]
