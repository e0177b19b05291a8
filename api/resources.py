"""What the API holds for its whole life: one engine, one Redis pool, one Temporal client, and
the hub that fans the change stream out to this process's streams (with its own Redis client).

The rate limiter counts in Redis over that same pool.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.client import Client

from api.errors import REDIS_TIMEOUT_SECONDS
from api.ratelimit import RateLimiter
from api.security import Passwords
from api.streams.hub import ChangeHub
from fastship.database import create_engine, create_session_factory
from fastship.settings import Settings
from fastship.temporal import connect_temporal

REDIS_CONNECTIONS = 50  # per API process


@dataclass(frozen=True)
class Resources:
    settings: Settings
    engine: AsyncEngine
    # The same pool, its connections in autocommit: a read of one statement needs no BEGIN and
    # ROLLBACK around it (two round trips more than the query itself).
    autocommit: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    reads: async_sessionmaker[AsyncSession]  # on `autocommit`: for what only reads
    redis: Redis
    temporal: Client
    passwords: Passwords
    limiter: RateLimiter
    hub: ChangeHub


@asynccontextmanager
async def open_resources(settings: Settings) -> AsyncIterator[Resources]:
    engine = create_engine(settings)
    # Blocking: a burst beyond the pool's size waits for a connection instead of failing.
    redis = Redis.from_pool(
        BlockingConnectionPool.from_url(
            settings.redis_url,
            max_connections=REDIS_CONNECTIONS,
            timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
    )
    hub = ChangeHub(settings.redis_url)
    # Lazy: the API starts, and reports itself not ready, while Temporal is unreachable.
    temporal = await connect_temporal(settings, lazy=True)
    try:
        passwords = Passwords(settings.password_hashing_concurrency)
        sessions = create_session_factory(engine)
        limiter = RateLimiter(redis, settings)
        autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        reads = create_session_factory(autocommit)
        await hub.start()
        yield Resources(
            settings, engine, autocommit, sessions, reads, redis, temporal, passwords, limiter, hub
        )
    finally:
        await hub.stop()
        await redis.aclose()
        await engine.dispose()
