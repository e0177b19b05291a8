"""Rate limits kept in Redis, so that every API process counts the same requests.

Moving windows (the `limits` library): exact counts, so a limit of N lets exactly N requests through
per window whichever processes serve them. A refusal is a 429 with `Retry-After` and the IETF
RateLimit headers (draft-ietf-httpapi-ratelimit-headers) describing the limit exceeded.
"""

import hashlib
import math
import time
import uuid
from dataclasses import dataclass

from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis

from api.errors import TooManyRequests, redis_required
from fastship.settings import Settings

KEY_PREFIX = "fastship:limits"


@dataclass(frozen=True)
class Quota:
    """One limit on the requests sharing one key; `policy` names it in the RateLimit headers."""

    policy: str
    limit: RateLimitItem
    key: str


class RateLimiter:
    """Counts requests against quotas in Redis, over the process's one connection pool."""

    def __init__(self, redis: Redis, settings: Settings) -> None:
        storage = RedisStorage(
            "async+redis://",  # picks the client library only: connections come from the pool
            implementation="redispy",
            key_prefix=KEY_PREFIX,
            # Documented by the library, though its annotation only admits scalar options.
            connection_pool=redis.connection_pool,  # type: ignore[arg-type]
        )
        self._windows = MovingWindowRateLimiter(storage)
        self._per_token = parse(settings.rate_limit_per_token)
        self._account_per_ip = parse(settings.rate_limit_account_per_ip)
        self._account_per_account = parse(settings.rate_limit_account_per_account)
        self._delivery_code_per_ip = parse(settings.rate_limit_delivery_code_per_ip)
        self._delivery_code_per_shipment = parse(settings.rate_limit_delivery_code_per_shipment)

    def per_token(self, token_id: str) -> Quota:
        return Quota("token", self._per_token, token_id)

    def account_route(self, route: str, client_ip: str, account: str) -> tuple[Quota, Quota]:
        # Hashed: the account is an email or a secret token, neither belongs in a key name.
        account_key = hashlib.sha256(account.strip().casefold().encode()).hexdigest()
        return (
            Quota(f"{route}-ip", self._account_per_ip, client_ip),
            Quota(f"{route}-account", self._account_per_account, account_key),
        )

    def delivery_code(self, client_ip: str, shipment_id: uuid.UUID) -> tuple[Quota, Quota]:
        return (
            Quota("delivery-code-ip", self._delivery_code_per_ip, client_ip),
            Quota("delivery-code-shipment", self._delivery_code_per_shipment, str(shipment_id)),
        )

    async def count(self, *quotas: Quota) -> Quota | None:
        """Counts this request against each quota in turn; returns the first one already spent.

        Quotas after a spent one are not counted: a request the caller's own quota refuses (its
        IP's, say) uses up nothing of a quota it shares with others (the account's, the
        shipment's).
        """
        for quota in quotas:
            if not await self._windows.hit(quota.limit, quota.policy, quota.key):
                return quota
        return None

    async def refusal(self, spent: Quota) -> TooManyRequests:
        """The 429 for a spent quota, saying when it has room again."""
        window = await self._windows.get_window_stats(spent.limit, spent.policy, spent.key)
        retry_after = max(1, math.ceil(window.reset_time - time.time()))
        headers = {
            "Retry-After": str(retry_after),
            "RateLimit-Policy": (
                f'"{spent.policy}";q={spent.limit.amount};w={spent.limit.get_expiry()}'
            ),
            "RateLimit": f'"{spent.policy}";r={window.remaining};t={retry_after}',
        }
        return TooManyRequests(
            f"Rate limit exceeded: {spent.limit} for {spent.policy}; retry in {retry_after} s",
            headers,
            policy=spent.policy,
            retry_after=retry_after,
        )

    async def enforce(self, *quotas: Quota) -> None:
        """Counts this request: 429 when a quota is spent, 503 when Redis cannot tell."""
        async with redis_required("checking rate limits"):
            if spent := await self.count(*quotas):
                raise await self.refusal(spent)


def client_ip(request: Request) -> str:
    """The caller's address; uvicorn takes it from X-Forwarded-For for trusted proxies only."""
    return request.client.host if request.client else "unknown"


async def limit_account_route(
    limiter: RateLimiter, request: Request, route: str, account: str
) -> None:
    """Counts a request to an account route per client IP and per account.

    `route` names the policy ("seller-login"...); `account` is the email given, or the token
    for routes that take one (compared case-insensitively, stored hashed).
    """
    await limiter.enforce(*limiter.account_route(route, client_ip(request), account))


async def limit_delivery_code(
    limiter: RateLimiter, request: Request, shipment_id: uuid.UUID
) -> None:
    """Counts a delivery-code guess per client IP and per shipment."""
    await limiter.enforce(*limiter.delivery_code(client_ip(request), shipment_id))
