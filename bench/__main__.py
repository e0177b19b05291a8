"""`python -m bench`: starts a throwaway FastShip and prints its figures against the targets.

The targets are the "Performance targets" of ../shared/docs/architecture.md.
"""

import argparse
import asyncio
import os
import signal
import uuid

import aiohttp
import httpx
from sqlalchemy.ext.asyncio import create_async_engine
from temporalio.client import Client
from temporalio.worker import Worker

from bench.baseline import TASK_QUEUE, PingWorkflow, ping
from bench.cpu import metered
from bench.database import seed_shipments
from bench.load import MAX_IN_FLIGHT, Operation, Sample, saturate
from bench.plans import query_plans
from bench.report import (
    Row,
    comparison_table,
    cpu_breakdown_table,
    measurements_table,
    progress,
    say,
    table,
    verdict,
)
from bench.scenarios import measure_http, prepare
from bench.stack import Stack, running_stack

WARM_UP_WORKFLOWS = 20
MEMORY_LIMIT_MIB = 1024
MEMORY_TARGET_WORKFLOWS = 10_000


async def measure_baseline(
    stack: Stack, bare_workflow: Operation, concurrency: int, seconds: float
) -> Row:
    """The floor: a one-activity workflow on the same Temporal server, its worker in this
    process (the bench's share of the CPU)."""
    await saturate(bare_workflow, concurrency, count=WARM_UP_WORKFLOWS)
    with metered(stack.processes) as cpu:
        sample = await saturate(bare_workflow, concurrency, seconds=seconds)
    return progress(Row("Temporal baseline (1-activity workflow)", sample, cpu=cpu))


async def measure_memory(
    stack: Stack, temporal: Client, create: Sample, open_workflows: int
) -> list[str]:
    running = await temporal.count_workflows('ExecutionStatus="Running"')
    rss = stack.worker_memory_mib()
    scaled = open_workflows < MEMORY_TARGET_WORKFLOWS
    return [
        "worker VmRSS",
        f"{running.count:,}",
        f"{rss:.0f}",
        f"<= {MEMORY_LIMIT_MIB} MiB at {MEMORY_TARGET_WORKFLOWS:,}",
        verdict(rss <= MEMORY_LIMIT_MIB) + (" (scaled down)" if scaled else ""),
        f"{create.failed} creates failed" if create.failed else "",
    ]


async def measure(stack: Stack, args: argparse.Namespace) -> None:
    temporal = await Client.connect(stack.temporal_address)
    engine = create_async_engine(stack.database_url)
    # Idle connections are dropped before uvicorn's 5 s keep-alive timeout closes them, or a
    # request may race the server's close and fail with ReadError.
    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, keepalive_expiry=2)
    client = httpx.AsyncClient(base_url=f"{stack.api_url}/api/v1", limits=limits, timeout=30)
    reader = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=MAX_IN_FLIGHT, keepalive_timeout=2),
        timeout=aiohttp.ClientTimeout(total=30),
    )

    async def bare_workflow(_: int) -> None:
        await temporal.execute_workflow(
            PingWorkflow.run, id=f"bench-ping-{uuid.uuid4()}", task_queue=TASK_QUEUE
        )

    try:
        async with Worker(
            temporal, task_queue=TASK_QUEUE, workflows=[PingWorkflow], activities=[ping]
        ):
            say(f"Baseline: one-activity workflows, {args.concurrency} at a time...")
            baseline = await measure_baseline(stack, bare_workflow, args.concurrency, args.seconds)
            bare_rate = baseline.sample.rate if baseline.sample else 0.0
            say("Accounts and in_transit shipments...")
            bench = await prepare(client, reader, engine, stack)
            bench.bare_workflow = bare_workflow
            say("Empty database:")
            empty = await measure_http(bench, bare_rate, args.seconds, args.concurrency)
            say(f"Seeding {args.seed:,} delivered or cancelled shipments...")
            await seed_shipments(engine, args.seed)
            plans = await query_plans(engine)
            say(f"{args.seed:,} shipments stored:")
            seeded = await measure_http(bench, bare_rate, args.seconds, args.concurrency)
            missing = args.open_workflows - len(bench.tracking_codes)
            say(f"Creating {max(0, missing):,} more shipments to hold open workflows...")
            create = await saturate(bench.create, args.concurrency, count=missing)
            memory = await measure_memory(stack, temporal, create, args.open_workflows)
    finally:
        await client.aclose()
        await reader.close()
        await engine.dispose()
    seeded_label = f"{args.seed:,} stored"
    say("")
    say(measurements_table("Empty database", [baseline, *empty], baseline))
    say("")
    say(measurements_table(f"{seeded_label} shipments", seeded, baseline))
    say("")
    say(cpu_breakdown_table([baseline, *empty], baseline))
    say("")
    say(comparison_table(empty, seeded, seeded_label))
    say(f"\nQuery plans with {seeded_label} shipments:\n{plans}")
    say("")
    header = ["Memory", "open workflows", "MiB", "target", "result", "notes"]
    say(table(header, [memory], numbers=range(1, 3)))
    load = ", ".join(f"{average:.1f}" for average in os.getloadavg())
    say(f"\nLoad average now (1, 5, 15 min): {load}; other work on the machine skews the figures.")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--seconds", type=float, default=20, help="length of each measurement")
    parser.add_argument(
        "--concurrency", type=int, default=32, help="requests in flight at max rate"
    )
    parser.add_argument("--seed", type=int, default=100_000, help="shipments stored for round two")
    parser.add_argument(
        "--open-workflows", type=int, default=10_000, help="open shipments for the memory figure"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop like Ctrl-C: all cleaned up
    say("Starting PostgreSQL, Redis, Temporal, the worker and the API in a temporary folder...")
    try:
        with running_stack() as stack:
            journal = "WAL" if stack.temporal_wal else "rollback journal, NOT WAL"
            say(
                f"Up. Temporal dev server on SQLite ({journal}); {stack.api_workers} API processes."
            )
            asyncio.run(measure(stack, args))
            say("Stopping...")
    except KeyboardInterrupt:
        say("Interrupted; everything the bench started is stopped.")
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
