"""Tells whoever watches a shipment that it changed: Redis Streams, written right after the commit.

The activity that committed a change publishes it, and publishes again when a retry finds the
change already stored, so a change is published at least once. A failed publish fails the
activity, which Temporal retries until Redis takes it. The same step stores the shipment's new
tracking document in the tracking cache (repositories.tracking_cache).
"""

from redis.asyncio import Redis

from models.changes import (
    ACCOUNT_STREAM_LENGTH,
    CHANGES_STREAM,
    GLOBAL_STREAM_LENGTH,
    ShipmentChange,
)
from repositories import tracking_cache

# One atomic step: the tracking document, unless the cache holds a newer one (an older change's
# retry may come late); the global entry; then the same entry, under the same id, in each
# account's stream (ids only grow, so a global id is always new to them).
# KEYS: the cache entry, the global stream, the account streams. ARGV: the change's sequence, its
# document, the cache lifetime, the two stream lengths, then the entry's field/value pairs.
_PUBLISH = f"""
local cached = tonumber(redis.call('HGET', KEYS[1], '{tracking_cache.SEQUENCE}'))
if not cached or cached <= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], '{tracking_cache.SEQUENCE}', ARGV[1],
             '{tracking_cache.DOCUMENT}', ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', unpack(ARGV, 6))
for i = 3, #KEYS do
  redis.call('XADD', KEYS[i], 'MAXLEN', '~', ARGV[5], id, unpack(ARGV, 6))
end
return id
"""


class ChangePublisher:
    def __init__(self, redis: Redis) -> None:
        self._publish = redis.register_script(_PUBLISH)

    async def publish(self, change: ShipmentChange, tracking_document: str) -> str:
        """Caches the shipment's tracking document as the change left it, and adds the change to
        the global stream and its accounts' streams; returns the change's entry id."""
        fields = [item for pair in change.to_fields().items() for item in pair]
        lifetime = int(tracking_cache.LIFETIME.total_seconds())
        entry_id = await self._publish(
            keys=[tracking_cache.key(change.tracking_code), CHANGES_STREAM, *change.streams],
            args=[
                change.sequence,
                tracking_document,
                lifetime,
                GLOBAL_STREAM_LENGTH,
                ACCOUNT_STREAM_LENGTH,
                *fields,
            ],
        )
        return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
