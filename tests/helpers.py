import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]], accept: Callable[[T], bool], timeout: float = 10
) -> T:
    """Polls `probe` until `accept` holds for its result, for things that happen asynchronously."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if accept(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still not accepted after {timeout} s: {result!r}")
        await asyncio.sleep(0.1)
