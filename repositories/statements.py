"""Statements of the hot paths are built once, at import: constructing one costs more CPU than
running it, and a built statement is compiled once too."""

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import Insert, insert

from models.base import Base


def table_of(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def insert_or_find(model: type[Base], key: str) -> Insert:
    """An INSERT whose RETURNING names the row stored before under the same unique `key` too
    (a retried step): the conflict runs a no-op update instead of skipping the row."""
    statement = insert(table_of(model))
    return statement.on_conflict_do_update(
        index_elements=[key], set_={key: statement.excluded[key]}
    )
