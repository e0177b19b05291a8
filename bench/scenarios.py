"""The HTTP measurements, written against the API contract (../shared/docs/product.md)."""

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.cpu import CpuUse, metered
from bench.database import verify_all_accounts
from bench.load import Failure, Operation, Sample, paced, saturate
from bench.report import Row, progress, say
from bench.stack import Stack
from repositories import tracking_cache

PASSWORD = "correct horse 42"  # noqa: S105 - bench accounts only
ACCOUNTS = 4  # sellers and partners each: the first of each drives the load, all own seeded rows
ZIP_CODES = [str(10001 + index) for index in range(ACCOUNTS)]  # one per partner
CAPACITY = 10_000  # the most the API accepts: shipments past it wait for room, still open
IN_TRANSIT = 50  # shipments taking location scans, each about once a second at SCAN_RATE
SCAN_RATE = 50.0
TRACK_RATE = 500.0
CREATE_P99 = 0.250
SCAN_P99 = 0.150
TRACK_P99 = 0.050
TRACK_MIN_RATE = 1000.0
COMMAND_CPU = 1.0  # create and status update: at most the bare workflow's CPU per operation
# A command's CPU is compared with the bare workflow's measured in slices alternating with it, so
# the machine's swings (2x within a run, here) weigh on both alike.
INTERLEAVED_SLICES = 4
PROBLEM_BODY_CHARS = 300


class UnexpectedStatus(Failure):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.request = f"{response.request.method} {response.request.url.path}"
        self.body = response.text


def expect(response: httpx.Response, status: int) -> Any:
    if response.status_code != status:
        raise UnexpectedStatus(response)
    return response.json()


def _account(role: str, index: int) -> dict[str, Any]:
    account: dict[str, Any] = {
        "name": f"Bench {role} {index}",
        "email": f"bench-{role}-{index}@example.com",
        "password": PASSWORD,
    }
    if role == "partner":
        account |= {"serviceable_zip_codes": [ZIP_CODES[index]], "max_handling_capacity": CAPACITY}
    return account


@dataclass
class Bench:
    """The driving seller and partner, and the shipments the bench created (all still open)."""

    client: httpx.AsyncClient  # for the setup's steps
    # The measured requests go through aiohttp: a fifth of httpx's CPU per request, which the
    # server needs (the load generator's CPU counts in every figure).
    http: aiohttp.ClientSession
    seller: dict[str, str]
    processes: dict[str, int]  # the stack's, whose CPU time each measurement reports
    redis_url: str
    partner: dict[str, str] | None = None
    problem: str = ""  # why the partner's measurements cannot run
    tracking_codes: list[str] = field(default_factory=list)
    tracking_etags: dict[str, str] = field(default_factory=dict)  # by tracking code
    in_transit: list[str] = field(default_factory=list)
    bare_workflow: Operation | None = None  # one run of the baseline's workflow

    async def _request(
        self, method: str, path: str, expected: int, **options: Any
    ) -> tuple[bytes, str]:
        """The response's body and ETag (empty if none)."""
        url = str(self.client.base_url).rstrip("/") + path
        async with self.http.request(method, url, **options) as response:
            body = await response.read()
            if response.status != expected:
                detail = body[:PROBLEM_BODY_CHARS].decode(errors="replace")
                raise Failure(f"HTTP {response.status} on {method} {path}: {detail}")
            return body, response.headers.get("ETag", "")

    async def _get(self, path: str, expected: int = 200, **options: Any) -> str:
        """The response's ETag (empty if none)."""
        return (await self._request("GET", path, expected, **options))[1]

    async def create(self, index: int) -> str:
        body, _ = await self._request(
            "POST",
            "/shipment",
            201,
            headers={**self.seller, "Idempotency-Key": str(uuid.uuid4())},
            json={
                "content": f"Bench parcel {index}",
                "weight": 1.5,
                "destination_zip": ZIP_CODES[0],
                "client_contact_email": "recipient@example.com",
            },
        )
        shipment = json.loads(body)
        self.tracking_codes.append(shipment["tracking_code"])
        return str(shipment["id"])

    async def post_event(self, shipment_id: str, event: dict[str, str]) -> None:
        await self._request(
            "POST", f"/shipment/{shipment_id}/events", 200, headers=self.partner, json=event
        )

    async def scan(self, index: int) -> None:
        event = {"location_zip": ZIP_CODES[0], "description": f"Scan {index}"}
        await self.post_event(self.in_transit[index % len(self.in_transit)], event)

    async def track(self, index: int) -> None:
        code = self.tracking_codes[index % len(self.tracking_codes)]
        self.tracking_etags[code] = await self._get(f"/track/{code}")

    async def track_unchanged(self, index: int) -> None:
        """A poll of a page the client holds (If-None-Match): answered 304 without a body."""
        code = self.tracking_codes[index % len(self.tracking_codes)]
        etag = self.tracking_etags.get(code) or await self._get(f"/track/{code}")
        self.tracking_etags[code] = etag
        await self._get(f"/track/{code}", 304, headers={"If-None-Match": etag})

    @asynccontextmanager
    async def tracking_cache_emptied(self) -> AsyncIterator[None]:
        """Every tracking read is PostgreSQL's meanwhile; the entries come back after."""
        redis = Redis.from_url(self.redis_url)
        saved = []
        try:
            async for key in redis.scan_iter(match=f"{tracking_cache.PREFIX}*", count=1000):
                if (dumped := await redis.dump(key)) is not None:  # None: it just expired
                    saved.append((key, await redis.pttl(key), dumped))
                    await redis.delete(key)
            yield
            for key, lifetime, dumped in saved:  # lifetime -1 (none): restored as 0, none
                await redis.restore(key, max(lifetime, 0), dumped, replace=True)
        finally:
            await redis.aclose()

    async def list_partner_shipments(self, _: int) -> None:
        await self._get("/partner/shipments", params={"limit": 20}, headers=self.partner)


async def _log_in(client: httpx.AsyncClient, role: str) -> dict[str, str]:
    account = _account(role, 0)
    form = {"username": account["email"], "password": PASSWORD}
    token = expect(await client.post(f"/{role}/token", data=form), 200)["access_token"]
    return {"Authorization": f"Bearer {token}"}


async def prepare(
    client: httpx.AsyncClient,
    http: aiohttp.ClientSession,
    engine: AsyncEngine,
    stack: Stack,
) -> Bench:
    """Signs up the accounts, logs in, and moves IN_TRANSIT new shipments to in_transit.

    The seller's steps must work; a failing partner step only rules out what needs the partner.
    """
    for index in range(ACCOUNTS):
        expect(await client.post("/seller/signup", json=_account("seller", index)), 201)
    partner_signups = [
        await client.post("/partner/signup", json=_account("partner", index))
        for index in range(ACCOUNTS)
    ]
    await verify_all_accounts(engine)
    seller = await _log_in(client, "seller")
    bench = Bench(client, http, seller, stack.processes, stack.redis_url)
    shipment_ids = [await bench.create(index) for index in range(IN_TRANSIT)]
    try:
        for response in partner_signups:
            expect(response, 201)
        bench.partner = await _log_in(client, "partner")
        for shipment_id in shipment_ids:
            await bench.post_event(shipment_id, {"status": "in_transit"})
            bench.in_transit.append(shipment_id)
    except UnexpectedStatus as exc:
        bench.problem = f"{exc} on {exc.request}"
        say(f"  ! {bench.problem}: {exc.body[:PROBLEM_BODY_CHARS]}")
    except Failure as exc:  # a measured request's: its message names it
        bench.problem = str(exc)
        say(f"  ! {bench.problem}")
    return bench


async def _alternating(
    processes: dict[str, int], operations: list[Operation], concurrency: int, seconds: float
) -> list[tuple[Sample, CpuUse]]:
    """Each operation for `seconds` in all, in slices taking turns (one slice when alone)."""
    slices = INTERLEAVED_SLICES if len(operations) > 1 else 1
    measured = [(Sample(), CpuUse()) for _ in operations]
    for _ in range(slices):
        for operation, (sample, cpu) in zip(operations, measured, strict=True):
            with metered(processes) as use:
                sample.add(await saturate(operation, concurrency, seconds=seconds / slices))
            cpu.add(use)
    return measured


async def _max_rate(
    bench: Bench,
    name: str,
    operation: Operation,
    concurrency: int,
    seconds: float,
    minimum: float = 0.0,
    cpu_limit: float | None = None,
) -> Row:
    """At most `concurrency` at once for `seconds`; with a CPU limit, interleaved with the bare
    workflow (as much time each), whose figures go with the row."""
    interleaved = bench.bare_workflow if cpu_limit is not None else None
    operations = [operation] if interleaved is None else [operation, interleaved]
    (sample, cpu), *beside = await _alternating(bench.processes, operations, concurrency, seconds)
    bare = None
    if beside:
        bare_sample, bare_cpu = beside[0]
        bare = Row("  bare workflow, interleaved with it", bare_sample, cpu=bare_cpu)
        if minimum:  # the rate to reach is the bare workflow's beside it
            minimum = bare_sample.rate
    target = f">= {minimum:.1f}/s" if minimum else "no failure"
    passed = not sample.failed and sample.rate >= minimum
    return progress(
        Row(
            f"{name}, max rate",
            sample,
            target,
            passed,
            max_rate=True,
            cpu=cpu,
            cpu_limit=cpu_limit,
            bare=bare,
        )
    )


async def _at_rate(
    bench: Bench, name: str, operation: Operation, rate: float, seconds: float, p99_limit: float
) -> Row:
    with metered(bench.processes) as cpu:
        sample = await paced(operation, rate, seconds)
    passed = not sample.failed and sample.percentile(0.99) <= p99_limit
    target = f"p99 <= {p99_limit * 1000:.0f} ms"
    return progress(Row(f"{name} at {rate:.1f}/s", sample, target, passed, cpu=cpu))


async def measure_http(
    bench: Bench, baseline_rate: float, seconds: float, concurrency: int
) -> list[Row]:
    """One round of every HTTP measurement; run on an empty and on a seeded database."""
    not_measured = f"not measured: {bench.problem}"
    create, scan = bench.create, bench.scan
    rows = [
        await _max_rate(
            bench, "create shipment", create, concurrency, seconds, baseline_rate, COMMAND_CPU
        ),
        await _at_rate(bench, "create shipment", create, baseline_rate / 2, seconds, CREATE_P99),
    ]
    if bench.in_transit:
        rows += [
            await _max_rate(bench, "location scan", scan, concurrency, seconds, 0, COMMAND_CPU),
            await _at_rate(bench, "location scan", scan, SCAN_RATE, seconds, SCAN_P99),
        ]
    else:
        rows += [
            Row("location scan, max rate", None, note=not_measured, max_rate=True),
            Row(f"location scan at {SCAN_RATE:.1f}/s", None, note=not_measured),
        ]
    rows += [
        await _max_rate(bench, "tracking read", bench.track, concurrency, seconds, TRACK_MIN_RATE),
        await _at_rate(bench, "tracking read", bench.track, TRACK_RATE, seconds, TRACK_P99),
        await _max_rate(
            bench, "tracking read, unchanged (304)", bench.track_unchanged, concurrency, seconds
        ),
    ]
    async with bench.tracking_cache_emptied():
        name = "tracking read, cache emptied (PostgreSQL)"
        rows.append(await _max_rate(bench, name, bench.track, concurrency, seconds))
    name = "partner list (limit 20)"
    if bench.partner is not None:
        partner_list = bench.list_partner_shipments
        rows.append(await _max_rate(bench, name, partner_list, concurrency, seconds))
    else:
        rows.append(Row(f"{name}, max rate", None, note=not_measured, max_rate=True))
    return rows
