"""One async engine per process, and the session factory built on it."""

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from fastship.settings import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    return create_async_engine(
        settings.database_url,
        # All kept open: an overflow connection is closed on return, and each new one costs a
        # PostgreSQL backend and a session (at 32 creates at once, overflow churn doubled
        # PostgreSQL's CPU per create). Beyond 30, a request waits for a connection. Two API
        # processes and a worker stay within PostgreSQL's default 100 connections.
        pool_size=30,
        max_overflow=0,
        # No pre-ping: asyncpg's costs BEGIN, a query and ROLLBACK on every checkout, a third of
        # a tracking read. A connection found dead fails its one statement (a 503, an activity
        # retried) and invalidates the pool, so every older connection is replaced.
        # Errors and logs never carry the statement's parameters (hashes, recipients' contacts).
        hide_parameters=True,
        connect_args={
            "server_settings": {"application_name": "fastship", "timezone": "UTC"},
            # An unreachable database fails a request in seconds (a 503), not after a minute.
            "timeout": 5,
        },
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
