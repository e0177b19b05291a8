"""`python -m bench.streams`: SSE and WebSocket clients follow parcels' tracking streams while
location scans change them at a steady rate; prints how soon each change reached each client and
the API's memory per open stream. The target (architecture doc): every client gets each change
within 1 s at p99, 1,000 SSE and 1,000 WebSocket clients, changes at 20/s.
"""

import argparse
import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from sqlalchemy.ext.asyncio import create_async_engine

from bench.cpu import metered
from bench.report import say, table, verdict
from bench.scenarios import ZIP_CODES, Bench, prepare
from bench.stack import Stack, running_stack

DELIVERY_P99 = 1.0
DRAIN_SECONDS = 3.0
Arrivals = dict[tuple[str, int], list[float]]  # (tracking code, sequence): when each client got it


def _api_rss_mib(stack: Stack) -> float:
    """Resident memory of the API's processes (the supervisor and its workers)."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        pid, parent = int(fields["Pid"]), int(fields["PPid"])
        if stack.processes["API"] in (pid, parent) and "VmRSS" in fields:
            total += int(fields["VmRSS"].split()[0])
    return total / 1024


async def _follow_sse(
    http: aiohttp.ClientSession, url: str, arrivals: Arrivals, code: str, ready: asyncio.Event
) -> None:
    async with http.get(url, timeout=aiohttp.ClientTimeout(total=None)) as response:
        event_id = None
        async for raw in response.content:
            line = raw.decode().rstrip("\r\n")
            if line.startswith("id:"):
                event_id = int(line[3:].strip())
            elif not line and event_id is not None:
                arrivals.setdefault((code, event_id), []).append(time.monotonic())
                event_id = None
                ready.set()


async def _follow_ws(
    http: aiohttp.ClientSession, url: str, arrivals: Arrivals, code: str, ready: asyncio.Event
) -> None:
    async with http.ws_connect(url, autoping=True) as socket:
        await socket.send_str("{}")
        async for message in socket:
            event = json.loads(message.data)
            if event["event"] == "tracking":
                arrivals.setdefault((code, int(event["id"])), []).append(time.monotonic())
                ready.set()


async def _open(
    follow: Callable[..., Coroutine[Any, Any, None]],
    http: aiohttp.ClientSession,
    urls: list[tuple[str, str]],
    arrivals: Arrivals,
) -> list[asyncio.Task[None]]:
    tasks, readies = [], []
    for url, code in urls:
        ready = asyncio.Event()
        readies.append(ready)
        tasks.append(asyncio.create_task(follow(http, url, arrivals, code, ready)))
    async with asyncio.timeout(120):
        await asyncio.gather(*(ready.wait() for ready in readies))
    return tasks


async def measure(stack: Stack, args: argparse.Namespace) -> None:
    engine = create_async_engine(stack.database_url)
    client = httpx.AsyncClient(base_url=f"{stack.api_url}/api/v1", timeout=30)
    connector = aiohttp.TCPConnector(limit=0)  # every stream its own connection
    async with aiohttp.ClientSession(connector=connector) as http:
        bench: Bench = await prepare(client, http, engine, stack)
        codes = dict(zip(bench.in_transit, bench.tracking_codes, strict=False))
        shipments = list(codes)
        # Each parcel followed by as many clients as the others, over both transports.
        sse = [codes[shipments[i % len(shipments)]] for i in range(args.sse)]
        ws = [codes[shipments[i % len(shipments)]] for i in range(args.ws)]
        watchers = Counter(sse + ws)
        base = f"{stack.api_url}/api/v1/track"
        ws_base = base.replace("http://", "ws://", 1)
        arrivals: Arrivals = {}
        memory_before = _api_rss_mib(stack)
        say(f"Opening {args.sse:,} SSE and {args.ws:,} WebSocket streams...")
        sse_urls = [(f"{base}/{code}/stream", code) for code in sse]
        tasks = await _open(_follow_sse, http, sse_urls, arrivals)
        ws_urls = [(f"{ws_base}/{code}/stream", code) for code in ws]
        tasks += await _open(_follow_ws, http, ws_urls, arrivals)
        streams = args.sse + args.ws
        memory_per_stream = (_api_rss_mib(stack) - memory_before) * 1024 / streams
        say(f"Scanning at {args.rate:.0f}/s for {args.seconds:.0f} s...")
        sent: dict[tuple[str, int], float] = {}
        scans = int(args.rate * args.seconds)
        started = time.monotonic()
        with metered(stack.processes) as cpu:
            for index in range(scans):
                await asyncio.sleep(max(0.0, started + index / args.rate - time.monotonic()))
                shipment_id = shipments[index % len(shipments)]
                at = time.monotonic()
                body = {"location_zip": ZIP_CODES[0], "description": f"Scan {index}"}
                response = await client.post(
                    f"/shipment/{shipment_id}/events", json=body, headers=bench.partner
                )
                sequence = response.json()["timeline"][0]["sequence"]
                sent[(codes[shipment_id], sequence)] = at
            await asyncio.sleep(DRAIN_SECONDS)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    await client.aclose()
    await engine.dispose()

    delays, missing = [], 0
    for (code, sequence), at in sent.items():
        got = [arrived - at for arrived in arrivals.get((code, sequence), [])]
        delays += got
        missing += watchers[code] - len(got)
    delays.sort()
    p50 = delays[len(delays) // 2] if delays else float("nan")
    p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))] if delays else float("nan")
    passed = missing == 0 and p99 <= DELIVERY_P99
    header = ["streams", "changes", "deliveries", "missing", "p50 ms", "p99 ms", "max ms"]
    header += ["KiB/stream", "CPU ms/delivery", "target", "result"]
    row = [
        f"{args.sse:,} SSE + {args.ws:,} WS",
        f"{len(sent):,}",
        f"{len(delays):,}",
        f"{missing:,}",
        f"{p50 * 1000:.0f}",
        f"{p99 * 1000:.0f}",
        f"{delays[-1] * 1000:.0f}" if delays else "-",
        f"{memory_per_stream:.0f}",
        f"{cpu.machine * 1000 / max(1, len(delays)):.2f}",
        f"p99 <= {DELIVERY_P99 * 1000:.0f} ms, none missing",
        verdict(passed),
    ]
    say("")
    say(table(header, [row], numbers=range(1, 9)))
    breakdown = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in cpu.parts.items())
    say(f"CPU during the scans: machine {cpu.machine:.1f} s ({breakdown})")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.streams", description=__doc__)
    parser.add_argument("--sse", type=int, default=1000, help="SSE clients")
    parser.add_argument("--ws", type=int, default=1000, help="WebSocket clients")
    parser.add_argument("--rate", type=float, default=20, help="changes per second")
    parser.add_argument("--seconds", type=float, default=20, help="how long changes are made")
    args = parser.parse_args()
    with running_stack() as stack:
        asyncio.run(measure(stack, args))


if __name__ == "__main__":
    main()
