"""The schema comes only from migrations, and they agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from migrations import alembic_config
from models.tables import metadata


async def test_migrated_database_matches_the_models(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with sessions() as session:
        connection = await session.connection()
        assert await connection.run_sync(differences) == []


async def test_database_is_at_the_latest_migration(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()

    async with sessions() as session:
        connection = await session.connection()
        current = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )

    assert current == head
