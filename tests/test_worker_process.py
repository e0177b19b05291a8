"""`python -m worker` as its own process: it starts, and stops cleanly on SIGTERM."""

import asyncio
import json
import os
import signal
import sys

from fastship.settings import Settings


async def test_worker_process_stops_gracefully_on_sigterm(settings: Settings) -> None:
    env = os.environ | {
        "ENVIRONMENT": "test",
        "JWT_SECRET": settings.jwt_secret.get_secret_value(),
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "TEMPORAL_ADDRESS": settings.temporal_address,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "worker", env=env, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    events: list[str] = []

    async with asyncio.timeout(30):
        while "worker started" not in events:
            line = await process.stdout.readline()
            assert line, "the worker exited before it started"
            events.append(json.loads(line)["event"])
        process.send_signal(signal.SIGTERM)
        events = [json.loads(line)["event"] async for line in process.stdout]
        exit_code = await process.wait()

    assert exit_code == 0
    assert events[0] == "worker stopping: finishing in-flight tasks"
    assert events[-1] == "worker stopped"
