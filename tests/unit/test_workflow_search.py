"""The operators' visibility query: built from typed filters only, and its cursors signed."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import SecretStr

from fastship.secrets import issue_visibility_cursor, read_visibility_cursor
from fastship.settings import Settings
from models.domain import ShipmentStatus
from repositories.workflow_search import ShipmentSearch, visibility_query

PARTNER = uuid.UUID("6f1c2d3e-0000-4000-8000-000000000001")


def test_no_filter_still_lists_shipment_workflows_only() -> None:
    assert visibility_query(ShipmentSearch()) == "WorkflowType = 'ShipmentWorkflow'"


def test_every_filter_is_one_clause_of_its_attribute() -> None:
    moment = datetime(2026, 12, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    search = ShipmentSearch(
        statuses=[ShipmentStatus.PLACED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.PLACED],
        partner_id=PARTNER,
        destination_zip="SW1A1AA",
        needs_attention=False,
        started_after=moment,
        closed_before=moment,
    )
    assert visibility_query(search).split(" AND ") == [
        "WorkflowType = 'ShipmentWorkflow'",
        "ShipmentStatus IN ('placed', 'in_transit')",
        f"PartnerId = '{PARTNER}'",
        "DestinationZip = 'SW1A1AA'",
        "(NeedsAttention = false OR ShipmentStatus IN ('delivered', 'cancelled'))",
        "StartTime >= '2026-12-01T09:30:00+02:00'",
        "CloseTime < '2026-12-01T09:30:00+02:00'",
    ]


def test_needing_attention_means_flagged_and_not_yet_delivered_or_cancelled() -> None:
    query = visibility_query(ShipmentSearch(needs_attention=True))
    assert query.endswith(
        "NeedsAttention = true AND ShipmentStatus NOT IN ('delivered', 'cancelled')"
    )


def test_a_quote_in_a_value_stays_inside_its_string() -> None:
    query = visibility_query(ShipmentSearch(destination_zip="1' OR WorkflowType != 'x"))
    assert query.endswith("DestinationZip = '1\\' OR WorkflowType != \\'x'")


def test_a_moment_without_a_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        visibility_query(ShipmentSearch(started_before=datetime(2026, 12, 1)))


def test_a_cursor_goes_on_only_for_its_operator_and_its_query() -> None:
    settings = Settings(_env_file=None, jwt_secret=SecretStr("s" * 64))
    operator, query = uuid.uuid4(), "WorkflowType = 'ShipmentWorkflow'"
    later = datetime.now(UTC) + timedelta(hours=1)
    cursor = issue_visibility_cursor(settings, operator, query, b"\x00page\xff", later)
    assert read_visibility_cursor(settings, operator, query, cursor) == b"\x00page\xff"
    assert read_visibility_cursor(settings, uuid.uuid4(), query, cursor) is None
    assert read_visibility_cursor(settings, operator, f"{query} AND x", cursor) is None
    assert read_visibility_cursor(settings, operator, query, cursor[:-2]) is None
    expired = issue_visibility_cursor(settings, operator, query, b"t", datetime.now(UTC))
    assert read_visibility_cursor(settings, operator, query, expired) is None
