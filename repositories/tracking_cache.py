"""The public tracking document, cached in Redis: a tracking read answered without PostgreSQL.

Only the activity that commits a change writes it (in the one step that publishes the change,
activities.publishing), with the document it rendered in the change's transaction, before the
change's Update answers: no client reads a status older than the one it was just told. A reader
never fills it (a document read before a commit could land after it), and a missing or unreadable
entry only means PostgreSQL answers.
"""

import asyncio
from datetime import timedelta
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

PREFIX: Final = "fastship:tracking:"
# A parcel is tracked while it travels; an older one is read from PostgreSQL again.
LIFETIME: Final = timedelta(days=2)
# A Redis that hangs delays a tracking read by this much at most, then PostgreSQL answers.
READ_TIMEOUT_SECONDS: Final = 0.1
DOCUMENT: Final = "document"
SEQUENCE: Final = "sequence"  # of the newest change in it: an older one never overwrites it


def key(tracking_code: str) -> str:
    return f"{PREFIX}{tracking_code}"


async def read(redis: Redis, tracking_code: str) -> bytes | None:
    try:
        async with asyncio.timeout(READ_TIMEOUT_SECONDS):
            document = await redis.hget(key(tracking_code), DOCUMENT)
    except (RedisError, TimeoutError):
        return None
    return document.encode() if isinstance(document, str) else document
