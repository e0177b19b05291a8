"""Each API process reads the global change stream once and hands every change to the streams
of its own clients that watch it (by shipment, tracking code or account).

A watcher's queue is bounded: a client too slow to take its changes is dropped (its stream ends;
it resumes from its last id), never slowing the others. While Redis is unreachable every watcher
is ended with that reason, and the reader goes on from the last entry it saw once Redis is back.
"""

import asyncio
import uuid
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.security import TokenClaims
from models.changes import CHANGES_STREAM, ShipmentChange
from models.domain import Role
from repositories import tracking_cache

log = structlog.get_logger(__name__)

WATCHER_QUEUE = 64  # changes a client may fall behind by before it is dropped
READ_BLOCK_MS = 5_000
READ_BATCH = 500
RETRY_SECONDS = 1.0
SHARED_READS = 4096
STOP_SECONDS = 2.0
T = TypeVar("T")

Interest = tuple[str, str]  # ("shipment", id), ("tracking", code) or (role, account id)


def shipment_interest(shipment_id: uuid.UUID) -> Interest:
    return ("shipment", str(shipment_id))


def tracking_interest(tracking_code: str) -> Interest:
    return ("tracking", tracking_code)


def account_interest(role: Role, account_id: uuid.UUID) -> Interest:
    return (role.value, str(account_id))


def _interests(change: ShipmentChange) -> list[Interest]:
    return [
        shipment_interest(change.shipment_id),
        tracking_interest(change.tracking_code),
        account_interest(Role.SELLER, change.seller_id),
        *(account_interest(Role.PARTNER, partner) for partner in change.partners),
    ]


Entry = tuple[str, ShipmentChange]  # a stream entry: its id, its change


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def entries_of(raw: Any) -> list[Entry]:
    """The entries of an XRANGE answer (or of one stream in an XREAD answer)."""
    return [
        (
            _text(entry_id),
            ShipmentChange.from_fields({_text(k): _text(v) for k, v in fields.items()}),
        )
        for entry_id, fields in raw
    ]


class StreamEnded(Exception):
    """Why a watcher's stream stops: the client resumes from its last id."""


@dataclass(eq=False)
class Watcher:
    """One client's stream: the changes (with their global ids) it has yet to send."""

    queue: asyncio.Queue[Entry] = field(default_factory=lambda: asyncio.Queue(WATCHER_QUEUE))
    ended: StreamEnded | None = None
    _woken: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, entry_id: str, change: ShipmentChange) -> None:
        try:
            self.queue.put_nowait((entry_id, change))
        except asyncio.QueueFull:
            self.end(StreamEnded("this client fell too far behind; resume from the last id"))
        self._woken.set()

    def end(self, reason: StreamEnded) -> None:
        if self.ended is None:
            self.ended = reason
        self._woken.set()

    async def next(self, wait_seconds: float) -> Entry | None:
        """The next change, or None if none came within `wait_seconds` (time for a heartbeat)."""
        while self.queue.empty() and self.ended is None:
            self._woken.clear()
            try:
                await asyncio.wait_for(self._woken.wait(), wait_seconds)
            except TimeoutError:
                return None
        if self.ended is not None:
            raise self.ended
        return self.queue.get_nowait()


class ChangeHub:
    def __init__(self, redis_url: str) -> None:
        # Its own client: each read blocks for seconds, longer than the usual socket timeout.
        self._redis = Redis.from_url(redis_url, socket_timeout=READ_BLOCK_MS / 1000 + 5)
        self._watchers: dict[Interest, set[Watcher]] = {}
        self._task: asyncio.Task[None] | None = None
        self._open: Counter[str] = Counter()  # streams by token id
        self._shared: OrderedDict[Hashable, asyncio.Task[Any]] = OrderedDict()
        # Redis answers, and a restarted Redis's tracking cache was dropped: streams may open,
        # and the tracking read may answer from the cache.
        self.available = False

    @contextmanager
    def watch(self, interest: Interest) -> Iterator[Watcher]:
        watcher = Watcher()
        if not self.available:
            watcher.end(StreamEnded("the change stream (Redis) is unavailable; retry shortly"))
        self._watchers.setdefault(interest, set()).add(watcher)
        try:
            yield watcher
        finally:
            watchers = self._watchers[interest]
            watchers.discard(watcher)
            if not watchers:
                del self._watchers[interest]

    @contextmanager
    def opened(self, claims: TokenClaims | None) -> Iterator[None]:
        """Counts a token's open streams (public ones are not counted)."""
        if claims is None:
            yield
            return
        self._open[claims.token_id] += 1
        try:
            yield
        finally:
            self._open[claims.token_id] -= 1
            if not self._open[claims.token_id]:
                del self._open[claims.token_id]

    async def shared(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        """What `load` reads for `key`, read once for all of this process's streams that want it
        (the newest SHARED_READS kept): a change followed by many clients costs one read."""
        task = self._shared.get(key)
        if task is None:
            task = self._shared[key] = asyncio.ensure_future(load())
            while len(self._shared) > SHARED_READS:
                self._shared.popitem(last=False)
        try:
            result: T = await asyncio.shield(task)
        except Exception:
            self._shared.pop(key, None)  # a failed read is tried again by the next stream
            raise
        return result

    def open_for(self, claims: TokenClaims) -> int:
        return self._open[claims.token_id]

    @property
    def watching(self) -> int:
        return sum(len(watchers) for watchers in self._watchers.values())

    async def start(self) -> None:
        """Reads from the stream's current end, so nothing published from now on is missed."""
        last_id = "$"
        with suppress(RedisError):
            newest = entries_of(await self._redis.xrevrange(CHANGES_STREAM, count=1))
            last_id = newest[0][0] if newest else "0-0"
            await tracking_cache.forget_if_restarted(self._redis)
            self.available = True
        self._task = asyncio.create_task(self._read(last_id), name="change hub")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            # Bounded: a read cancelled on a connection the server dropped may take its time.
            await asyncio.wait({self._task}, timeout=STOP_SECONDS)
        for watchers in list(self._watchers.values()):
            for watcher in list(watchers):
                watcher.end(StreamEnded("the server is shutting down; reconnect"))
        await self._redis.aclose()

    async def _read(self, last_id: str) -> None:
        while True:
            try:
                if not self.available:  # back: perhaps a new server, on an older snapshot
                    await tracking_cache.forget_if_restarted(self._redis)
                    self.available = True
                batches: Any = await self._redis.xread(
                    {CHANGES_STREAM: last_id}, count=READ_BATCH, block=READ_BLOCK_MS
                )
            except RedisError as exc:
                self._unavailable(exc)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            for _, entries in batches or ():
                if not self._watchers:  # nobody to hand them to: only the position counts
                    last_id = _text(entries[-1][0])
                    continue
                for entry_id, change in entries_of(entries):
                    last_id = entry_id
                    self._deliver(entry_id, change)

    def _deliver(self, entry_id: str, change: ShipmentChange) -> None:
        for interest in _interests(change):
            for watcher in list(self._watchers.get(interest, ())):
                watcher.offer(entry_id, change)

    def _unavailable(self, exc: RedisError) -> None:
        if self.available:
            log.warning("change stream unavailable", error=repr(exc))
        self.available = False
        reason = StreamEnded("the change stream (Redis) is unavailable; retry shortly")
        for watchers in self._watchers.values():
            for watcher in watchers:
                watcher.end(reason)
