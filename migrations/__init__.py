"""Schema migrations (Alembic). The schema comes only from here."""

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

MIGRATIONS_DIR = Path(__file__).parent


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def run_alembic(database_url: str, alembic_command: Callable[[Config], None]) -> None:
    """Runs `alembic_command` (e.g. `command.upgrade(config, "head")`) on the database, in one
    transaction."""

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        alembic_command(config)

    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run)
    finally:
        await engine.dispose()


async def migrate(database_url: str) -> None:
    """Upgrade the database at `database_url` to the latest migration."""
    await run_alembic(database_url, lambda config: command.upgrade(config, "head"))
