"""The public tracking document, cached in Redis: a tracking read answered without PostgreSQL.

Only the activity that commits a change writes it (in the one step that publishes the change,
activities.publishing), with the document it rendered in the change's transaction, before the
change's Update answers: no client reads a status older than the one it was just told. A reader
never fills it (a document read before a commit could land after it), and a missing or unreadable
entry only means PostgreSQL answers.

A Redis that restarted may have loaded a snapshot older than some changes: its entries are
dropped (`forget_if_restarted`) before an API process reads any of them again.
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
# The run id of the Redis server the entries were written on; not under PREFIX, which is dropped.
SERVER_KEY: Final = "fastship:tracking-cache:server"
FORGET_BATCH = 1000


def key(tracking_code: str) -> str:
    return f"{PREFIX}{tracking_code}"


async def read(redis: Redis, tracking_code: str) -> bytes | None:
    try:
        async with asyncio.timeout(READ_TIMEOUT_SECONDS):
            document = await redis.hget(key(tracking_code), DOCUMENT)
    except (RedisError, TimeoutError):
        return None
    return document.encode() if isinstance(document, str) else document


async def forget_if_restarted(redis: Redis) -> None:
    """Drops every entry unless they were written on this very Redis server process (a restart
    gives it a new run id). Raises RedisError when Redis does not answer."""
    server: dict[str, str] = await redis.info("server")
    run_id = str(server["run_id"])
    if await redis.get(SERVER_KEY) in (run_id, run_id.encode()):
        return
    batch: list[bytes] = []
    async for entry in redis.scan_iter(match=f"{PREFIX}*", count=FORGET_BATCH):
        batch.append(entry)
        if len(batch) == FORGET_BATCH:
            await redis.unlink(*batch)
            batch.clear()
    if batch:
        await redis.unlink(*batch)
    await redis.set(SERVER_KEY, run_id)  # last: another process that sees it finds none left
