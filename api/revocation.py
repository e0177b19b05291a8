"""Revoked access tokens, kept in Redis only as long as the tokens could still be used.

Two kinds of entry: one token (logout), keyed by its id; and every token of one account issued
before a cutoff (a password reset), keyed by the account.
"""

import math
import uuid
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from api.security import TokenClaims
from models.domain import Role

_PREFIX = "fastship:revoked"


def _token_key(token_id: str) -> str:
    return f"{_PREFIX}:token:{token_id}"


def _sessions_key(role: Role, subject: uuid.UUID) -> str:
    return f"{_PREFIX}:sessions:{role.value}:{subject}"


async def revoke_token(redis: Redis, claims: TokenClaims) -> None:
    """The token stops working now; the entry expires when the token would have."""
    remaining = math.ceil((claims.expires_at - datetime.now(UTC)).total_seconds())
    if remaining > 0:
        await redis.set(_token_key(claims.token_id), 1, ex=remaining)


async def revoke_sessions(
    redis: Redis, role: Role, subject: uuid.UUID, before: datetime, keep_for: timedelta
) -> None:
    """Every token of the account issued before `before` stops working.

    `keep_for` is the access-token lifetime: by then every token issued before the cutoff expired.
    """
    await redis.set(_sessions_key(role, subject), before.timestamp(), ex=keep_for)


async def is_revoked(redis: Redis, claims: TokenClaims) -> bool:
    """One round trip: the token itself, or its account's cutoff."""
    token_revoked, cutoff = await redis.mget(
        _token_key(claims.token_id), _sessions_key(claims.role, claims.subject)
    )
    if token_revoked is not None:
        return True
    return cutoff is not None and claims.issued_at < datetime.fromtimestamp(float(cutoff), UTC)
