"""Tells whoever watches a shipment that it changed: Redis Streams, written right after the commit.

The activity that committed a change publishes it, and publishes again when a retry finds the
change already stored, so a change is published at least once. A failed publish fails the
activity, which Temporal retries until Redis takes it.
"""

from redis.asyncio import Redis

from models.changes import (
    ACCOUNT_STREAM_LENGTH,
    CHANGES_STREAM,
    GLOBAL_STREAM_LENGTH,
    ShipmentChange,
)

# One atomic step: the global entry first, then the same entry, under the same id, in each
# account's stream (ids only grow, so a global id is always new to them). ARGV: the two lengths,
# then the entry's field/value pairs.
_PUBLISH = """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(ARGV, 3))
for i = 2, #KEYS do
  redis.call('XADD', KEYS[i], 'MAXLEN', '~', ARGV[2], id, unpack(ARGV, 3))
end
return id
"""


class ChangePublisher:
    def __init__(self, redis: Redis) -> None:
        self._publish = redis.register_script(_PUBLISH)

    async def publish(self, change: ShipmentChange) -> str:
        """Adds the change to the global stream and its accounts' streams; returns its id."""
        fields = [item for pair in change.to_fields().items() for item in pair]
        entry_id = await self._publish(
            keys=[CHANGES_STREAM, *change.streams],
            args=[GLOBAL_STREAM_LENGTH, ACCOUNT_STREAM_LENGTH, *fields],
        )
        return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
