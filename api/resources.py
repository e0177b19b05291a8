"""What the API holds for its whole life: one engine, one Redis pool, one Temporal client.

The rate limiter counts in Redis over that same pool.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.client import Client

from api.ratelimit import RateLimiter
from api.security import Passwords
from fastship.database import create_engine, create_session_factory
from fastship.settings import Settings
from fastship.temporal import connect_temporal


@dataclass(frozen=True)
class Resources:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis
    temporal: Client
    passwords: Passwords
    limiter: RateLimiter


@asynccontextmanager
async def open_resources(settings: Settings) -> AsyncIterator[Resources]:
    engine = create_engine(settings)
    redis = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
    # Lazy: the API starts, and reports itself not ready, while Temporal is unreachable.
    temporal = await connect_temporal(settings, lazy=True)
    try:
        passwords = Passwords(settings.password_hashing_concurrency)
        sessions = create_session_factory(engine)
        limiter = RateLimiter(redis, settings)
        yield Resources(settings, engine, sessions, redis, temporal, passwords, limiter)
    finally:
        await redis.aclose()
        await engine.dispose()
