"""Load generators: a closed loop at bounded concurrency (maximum rate) and an open-loop pacer."""

import asyncio
import itertools
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

DRAIN_SECONDS = 5.0
MAX_IN_FLIGHT = 100  # paced operations running at once (HTTP: connections)

Operation = Callable[[int], Awaitable[object]]
"""One request; its argument is the request's sequence number, and raising marks a failure."""


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    sender_lag: float = 0.0  # paced only: how late the sender started an operation, at worst

    @property
    def failed(self) -> int:
        return self.failures.total()

    @property
    def rate(self) -> float:
        """Successful operations per second."""
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def add(self, other: "Sample") -> None:
        """Counts another measurement of the same operation in this one."""
        self.latencies += other.latencies
        self.failures += other.failures
        self.elapsed += other.elapsed
        self.sender_lag = max(self.sender_lag, other.sender_lag)

    def percentile(self, fraction: float) -> float:
        """Nearest-rank percentile of the successful latencies, in seconds (NaN when none)."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class Failure(Exception):
    """A failure counted under its message (other exceptions are counted under their type)."""


async def _timed(operation: Operation, index: int, since: float, sample: Sample) -> None:
    try:
        await operation(index)
    except Exception as exc:  # any failure is counted and reported, not raised
        sample.failures[str(exc) if isinstance(exc, Failure) else type(exc).__name__] += 1
    else:
        sample.latencies.append(time.perf_counter() - since)


async def saturate(
    operation: Operation, concurrency: int, *, seconds: float = math.inf, count: float = math.inf
) -> Sample:
    """Keeps `concurrency` operations in flight until `seconds` pass or `count` have started."""
    sample = Sample()
    indices = itertools.count()
    start = time.perf_counter()

    async def loop() -> None:
        for index in indices:
            now = time.perf_counter()
            if index >= count or now - start >= seconds:
                return
            await _timed(operation, index, now, sample)

    await asyncio.gather(*(loop() for _ in range(concurrency)))
    sample.elapsed = time.perf_counter() - start
    return sample


async def paced(operation: Operation, rate: float, seconds: float) -> Sample:
    """Starts operations at a fixed rate whatever the answers take (open loop).

    At most MAX_IN_FLIGHT run at once; the others wait their turn. Latency counts from the
    moment an operation was due, so a server that falls behind is not hidden by a sender that
    waits for it. Operations unfinished DRAIN_SECONDS after the last start are cancelled and
    counted as failures.
    """
    sample = Sample()
    slots = asyncio.Semaphore(MAX_IN_FLIGHT)

    async def bounded(index: int) -> object:
        async with slots:
            return await operation(index)

    start = time.perf_counter()
    tasks = []
    for index in range(round(rate * seconds)):
        due = start + index / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        sample.sender_lag = max(sample.sender_lag, time.perf_counter() - due)
        tasks.append(asyncio.create_task(_timed(bounded, index, due, sample)))
    _, unfinished = await asyncio.wait(tasks, timeout=DRAIN_SECONDS)
    for task in unfinished:
        task.cancel()
    await asyncio.gather(*unfinished, return_exceptions=True)
    if unfinished:
        sample.failures[f"unfinished after {DRAIN_SECONDS:.0f} s"] += len(unfinished)
    sample.elapsed = time.perf_counter() - start
    return sample
