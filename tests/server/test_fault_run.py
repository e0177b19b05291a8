"""The fault run (`python -m bench.faults`), short: every part of a running stack killed under
load and started again; nothing acknowledged lost or doubled, nothing stuck, no 500."""

import asyncio
import sys

import pytest


@pytest.mark.timeout(600)
async def test_killing_each_part_under_load_loses_doubles_and_wedges_nothing() -> None:
    run = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bench.faults", "--clients", "3", "--pause", "2", "--down", "3"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(run.communicate(), 600)
    report = output.decode(errors="replace")

    assert run.returncode == 0, report
    for count in (
        "acknowledged changes lost      0",
        "changes duplicated             0",
        "stuck shipments                0",
        "answers of 500                 0",
    ):
        assert count in report, report
    killed = ["worker", "Temporal server", "PostgreSQL", "Redis", "api"]
    assert all(f"killing {part}..." in report for part in killed), report
