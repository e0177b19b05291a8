"""`python -m worker` as its own process: it stops cleanly on SIGTERM, and a worker killed outright
is replaced without losing or doubling anything."""

import asyncio
import json
import re
import signal
from datetime import timedelta

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from fastship.settings import Settings
from launcher.embedded import dynamic_config_flags, free_port, temporal_cli_path
from models.domain import SearchAttributes
from tests.fake_providers import FakeSendGrid, FakeTwilio, SentSms
from tests.helpers import eventually, serve_api, start_worker
from tests.shipments import created, delivery_code, outbox, report, reported


@pytest.mark.parametrize("attempt", range(3))
async def test_worker_process_stops_gracefully_on_sigterm(
    settings: Settings, seller_auth: dict[str, str], partner_auth: dict[str, str], attempt: int
) -> None:
    """Stopped right after it ran a workflow, again and again: its interpreter's finalization
    once raced the SDK's core threads and aborted the process (SIGABRT)."""
    process = await start_worker(settings, read_log=True)
    async with serve_api(settings) as api:
        await created(api, seller_auth)
    assert process.stdout is not None

    process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(30):
        events = [json.loads(line)["event"] async for line in process.stdout]
        exit_code = await process.wait()

    assert exit_code == 0
    assert "worker stopping: finishing in-flight tasks" in events
    assert events[-1] == "worker stopped"


async def test_a_killed_worker_is_replaced_and_the_shipment_goes_on_exactly_once(
    own_temporal: Settings, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    first = await start_worker(own_temporal)
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
        second = await start_worker(own_temporal)
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


async def test_a_worker_killed_while_sending_sends_no_message_twice(
    own_temporal: Settings,
    seller_auth: dict[str, str],
    partner_auth: dict[str, str],
    sendgrid: FakeSendGrid,
    twilio: FakeTwilio,
) -> None:
    """SendGrid took the code's email; the worker dies while Twilio has the SMS. The next worker
    sends the SMS, with the same code, and not the email again."""
    settings = twilio.settings(sendgrid.settings(own_temporal)).model_copy(
        update={"send_attempt_timeout": timedelta(seconds=3)}  # notice the dead worker soon
    )
    first = await start_worker(settings)
    async with serve_api(settings) as api:
        shipment_id = (await created(api, seller_auth))["id"]
        await reported(api, partner_auth, shipment_id, status="in_transit")
        twilio.hold()
        await reported(api, partner_auth, shipment_id, status="out_for_delivery")
        await twilio.until_held()

        first.kill()  # no goodbye: SIGKILL
        await first.wait()
        twilio.fail_next(500)  # the dead worker's request is answered, too late for anyone
        twilio.release()
        second = await start_worker(settings)
        try:
            [sms] = await eventually(
                lambda: _sms_to(twilio), lambda found: len(found) >= 1, within=30
            )
        finally:
            second.send_signal(signal.SIGTERM)
            await second.wait()

    code_emails = [
        email for email in sendgrid.messages if email.subject == "Your parcel is out for delivery"
    ]
    assert len(code_emails) == 1
    assert len(twilio.messages) == 1
    code = re.search(r":\s*(\d{6})\b", code_emails[0].text)
    assert code is not None
    assert code.group(1) in sms.body


async def _sms_to(twilio: FakeTwilio) -> list[SentSms]:
    return list(twilio.messages)


async def test_a_worker_started_before_temporal_waits_for_it_and_then_works(
    settings: Settings, seller_auth: dict[str, str], partner_auth: dict[str, str]
) -> None:
    """Both restarting at once (a crash, a deploy): the worker must not exit on the first refused
    connection and leave every shipment without a worker."""
    port = free_port()
    early = settings.model_copy(
        update={
            "temporal_address": f"127.0.0.1:{port}",
            "workflow_command_timeout": timedelta(seconds=30),
        }
    )
    starting = asyncio.create_task(start_worker(early))
    await asyncio.sleep(3)
    assert not starting.done(), "the worker started, or exited, with no Temporal to reach"

    async with await WorkflowEnvironment.start_local(
        port=port,
        dev_server_existing_path=temporal_cli_path(),
        dev_server_extra_args=dynamic_config_flags(),
        search_attributes=SearchAttributes.ALL,
        dev_server_log_level="error",
    ):
        worker = await starting
        try:
            async with serve_api(early) as api:
                shipment_id = (await created(api, seller_auth))["id"]
                moved = await reported(api, partner_auth, shipment_id, status="in_transit")
        finally:
            worker.send_signal(signal.SIGTERM)
            await worker.wait()

    assert moved["status"] == "in_transit"
