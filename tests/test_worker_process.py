"""`python -m worker` as its own process: it stops cleanly on SIGTERM, and a worker killed outright
is replaced without losing or doubling anything."""

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from fastship.embedded import temporal_cli_path
from fastship.settings import Settings
from models.domain import SearchAttributes
from tests.helpers import serve_api
from tests.shipments import created, delivery_code, outbox, report, reported


async def _start_worker(settings: Settings) -> asyncio.subprocess.Process:
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
    async with asyncio.timeout(30):
        while True:
            line = await process.stdout.readline()
            assert line, "the worker exited before it started"
            if json.loads(line)["event"] == "worker started":
                return process


async def test_worker_process_stops_gracefully_on_sigterm(settings: Settings) -> None:
    process = await _start_worker(settings)
    assert process.stdout is not None

    process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(30):
        events = [json.loads(line)["event"] async for line in process.stdout]
        exit_code = await process.wait()

    assert exit_code == 0
    assert events[0] == "worker stopping: finishing in-flight tasks"
    assert events[-1] == "worker stopped"


@pytest.fixture
async def own_temporal(settings: Settings) -> AsyncIterator[Settings]:
    """Settings for a Temporal server of its own, where only the workers this test starts poll."""
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli_path(),
        search_attributes=SearchAttributes.ALL,
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
    ) as env:
        yield settings.model_copy(
            update={
                "temporal_address": env.client.service_client.config.target_host,
                "workflow_command_timeout": timedelta(seconds=30),
            }
        )


async def test_a_killed_worker_is_replaced_and_the_shipment_goes_on_exactly_once(
    own_temporal: Settings, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    first = await _start_worker(own_temporal)
    async with serve_api(own_temporal) as api:
        shipment_id = (await created(api, seller_auth))["id"]
        await reported(api, partner_auth, shipment_id, status="in_transit")

        first.kill()  # no goodbye: SIGKILL
        await first.wait()
        pending = asyncio.create_task(
            report(api, partner_auth, shipment_id, status="out_for_delivery")
        )
        await asyncio.sleep(1)
        assert not pending.done()
        second = await _start_worker(own_temporal)
        try:
            response: httpx.Response = await pending
            assert response.status_code == 200, response.text
            code = await delivery_code(api, shipment_id)
            delivered = await reported(
                api, partner_auth, shipment_id, status="delivered", verification_code=code
            )
        finally:
            second.send_signal(signal.SIGTERM)
            await second.wait()
        messages = await outbox(api, shipment_id)

    statuses = [event["status"] for event in reversed(delivered["timeline"])]
    assert statuses == ["placed", "placed", "in_transit", "out_for_delivery", "delivered"]
    assert [event["sequence"] for event in reversed(delivered["timeline"])] == [1, 2, 3, 4, 5]
    codes_sent = [
        message
        for message in messages
        if (message["template"], message["channel"]) == ("out_for_delivery", "email")
    ]
    assert len(codes_sent) == 1
