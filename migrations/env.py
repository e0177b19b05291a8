"""Alembic environment: runs migrations on a connection given by the caller, or on DATABASE_URL."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from fastship.settings import get_settings
from models.tables import metadata


def run_on(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_on_configured_database() -> None:
    engine = create_async_engine(get_settings().database_url)
    async with engine.connect() as connection:
        await connection.run_sync(run_on)
        await connection.commit()
    await engine.dispose()


given: Connection | None = context.config.attributes.get("connection")
if given is not None:
    run_on(given)
else:
    asyncio.run(run_on_configured_database())
