"""The schema comes only from migrations, and they agree with the models."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, inspect, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from launcher.dev import create_database_if_missing
from migrations import alembic_config, migrate, run_alembic
from models.tables import metadata


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_migrated_database_matches_the_models(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        connection = await session.connection()
        assert await connection.run_sync(_differences) == []


async def test_migrated_database_has_the_models_check_constraints(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Alembic's comparison leaves CHECK constraints out: the enum columns' and the others'."""

    def checks(connection: Connection) -> dict[str, set[str | None]]:
        inspector = inspect(connection)
        return {
            table: {check["name"] for check in inspector.get_check_constraints(table)}
            for table in metadata.tables
        }

    expected = {
        table.name: {
            constraint.name
            for constraint in table.constraints
            if isinstance(constraint, CheckConstraint)
        }
        for table in metadata.tables.values()
    }
    async with sessions() as session:
        connection = await session.connection()
        assert await connection.run_sync(checks) == expected


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


async def test_a_release_rolls_back_to_an_empty_database_and_forward_again(
    database_server_url: str,
) -> None:
    """Every migration's downgrade undoes its upgrade: an operator can step back a release."""
    name = "fastship_migrations_round_trip"
    await create_database_if_missing(database_server_url, name)
    url = make_url(database_server_url).set(database=name).render_as_string(False)
    await migrate(url)
    await run_alembic(url, lambda config: command.downgrade(config, "base"))

    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
            enum_types = await connection.scalars(
                text("SELECT typname FROM pg_type WHERE typtype = 'e'")
            )
            assert set(tables) <= {"alembic_version"}
            assert list(enum_types) == []
        await migrate(url)
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()
