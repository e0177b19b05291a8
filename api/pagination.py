"""Cursor pagination shared by the lists: a bad cursor is a 422, the next page a full URL."""

from collections.abc import Awaitable
from typing import TypeVar

from fastapi import Request

from api.errors import Unprocessable
from repositories.cursors import InvalidCursor

T = TypeVar("T")


async def read_page(
    request: Request, limit: int, page: Awaitable[tuple[list[T], str | None]]
) -> tuple[list[T], str | None, str | None]:
    """The page's rows, the cursor after them and the next page's URL (None on the last)."""
    try:
        items, next_cursor = await page
    except InvalidCursor as exc:
        raise Unprocessable(f"query.cursor: {exc}") from exc
    if next_cursor is None:
        return items, None, None
    return (
        items,
        next_cursor,
        str(request.url.include_query_params(cursor=next_cursor, limit=limit)),
    )
