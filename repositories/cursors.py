"""Keyset cursors for lists: the order a page was read in, and the (moment, id) of its last row
(created_at for newest first, updated_at for last changed first)."""

import base64
import binascii
import uuid
from datetime import datetime
from enum import StrEnum


class ListOrder(StrEnum):
    CREATED = "created"  # newest first
    UPDATED = "updated"  # last changed first


class InvalidCursor(ValueError):
    pass


def encode_cursor(order: ListOrder, moment: datetime, row_id: uuid.UUID) -> str:
    raw = f"{order}|{moment.isoformat()}|{row_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, order: ListOrder) -> tuple[datetime, uuid.UUID]:
    """The position after which the next page starts; refused if another order gave it."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        given_order, moment, row_id = raw.split("|")
        position = datetime.fromisoformat(moment), uuid.UUID(row_id)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursor("The cursor is not one this API gave out") from exc
    if position[0].tzinfo is None or given_order not in set(ListOrder):
        raise InvalidCursor("The cursor is not one this API gave out")
    if given_order != order:
        raise InvalidCursor(f"The cursor belongs to the `{given_order}` order, not `{order}`")
    return position
