"""Recorded histories: the workflow code replays them (shipments already running keep running),
and they hold no personal data in clear. No server: the replayer runs the code in this process."""

import base64
import json
from typing import Any

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from fastship.payload_codec import ENCRYPTED
from fastship.temporal import data_converter
from tests.helpers import payloads_in
from tests.histories.record import HISTORIES, RECORDING_KEYS
from workflows.accounts import EmailVerificationWorkflow
from workflows.shipment import ShipmentWorkflow

RECORDED = {path.stem: path.read_text() for path in sorted(HISTORIES.glob("*.json"))}


@pytest.mark.parametrize("name", RECORDED)
async def test_workflow_code_replays_the_recorded_histories(name: str) -> None:
    """Fails when a change to the workflow would break shipments already running."""
    history = WorkflowHistory.from_json(name, RECORDED[name])
    replayer = Replayer(
        workflows=[ShipmentWorkflow, EmailVerificationWorkflow],
        data_converter=data_converter(RECORDING_KEYS),
    )
    await replayer.replay_workflow(history)


@pytest.mark.parametrize("name", [name for name in RECORDED if not name.endswith(".v1")])
def test_the_recorded_histories_hold_no_personal_data_in_clear(name: str) -> None:
    """Recorded through the codec, as production runs: inputs and results are encrypted, and
    only readable strings (summaries, ids) stay clear."""
    payloads = list(payloads_in(json.loads(RECORDED[name])))
    clear = [
        base64.b64decode(payload.get("data", "")) for payload in payloads if not _encrypted(payload)
    ]
    assert any(_encrypted(payload) for payload in payloads)
    assert not [data for data in clear if b"@example.com" in data]


def _encrypted(payload: dict[str, Any]) -> bool:
    return base64.b64decode(payload["metadata"].get("encoding", "")) == ENCRYPTED


def test_the_recorded_histories_cover_the_whole_lifecycle() -> None:
    lifecycle = {"delivered_and_reviewed", "waited_then_cancelled", "refused"}
    # The shipment's, recorded again with each versioned change (`name.v1`: before the writes
    # after acceptance; `name.v2`: before notifications were sent first locally; a refused
    # shipment sends nothing), so shipments started under any version still replay.
    assert set(RECORDED) == {
        *lifecycle,
        *(f"{name}.v1" for name in lifecycle),
        *(f"{name}.v2" for name in lifecycle - {"refused"}),
        "email_verified",
        "email_never_verified",
    }
