"""The pure rules, without servers: the status graph, partner choice, request fingerprints,
text and weight validation, list cursors."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import product

import pytest
from pydantic import ValidationError

from api.shipments.schemas import ShipmentCreate
from api.shipments.service import fingerprint, order_of
from models.assignment import Candidate, choose_partner
from models.domain import Language, ShipmentStatus
from models.lifecycle import Actor, is_failed_attempt, scan_error, transition_error
from repositories.cursors import InvalidCursor, ListOrder, decode_cursor, encode_cursor

S = ShipmentStatus
EXPECTED_GRAPH = {
    (S.PLACED, S.IN_TRANSIT, Actor.PARTNER),
    (S.IN_TRANSIT, S.OUT_FOR_DELIVERY, Actor.PARTNER),
    (S.OUT_FOR_DELIVERY, S.DELIVERED, Actor.PARTNER),
    (S.OUT_FOR_DELIVERY, S.IN_TRANSIT, Actor.PARTNER),
    (S.PLACED, S.CANCELLED, Actor.SELLER),
    (S.IN_TRANSIT, S.CANCELLED, Actor.SELLER),
    (S.PLACED, S.CANCELLED, Actor.SYSTEM),
}


def test_the_status_graph_is_exactly_the_products() -> None:
    allowed = {
        (current, new, actor)
        for current, new, actor in product(S, S, Actor)
        if transition_error(current, new, actor) is None
    }
    assert allowed == EXPECTED_GRAPH


@pytest.mark.parametrize("final", [S.DELIVERED, S.CANCELLED])
def test_final_statuses_never_change(final: ShipmentStatus) -> None:
    for new, actor in product(S, Actor):
        assert (
            transition_error(final, new, actor)
            == f"The shipment is {final}; it cannot change any more"
        )


def test_refusals_say_why() -> None:
    assert transition_error(S.PLACED, S.DELIVERED, Actor.PARTNER) == (
        "A shipment cannot go from placed to delivered"
    )
    assert transition_error(S.PLACED, S.CANCELLED, Actor.PARTNER) == (
        "A partner cannot move a shipment from placed to cancelled"
    )


def test_only_out_for_delivery_back_to_in_transit_is_a_failed_attempt() -> None:
    attempts = {(a, b) for a, b in product(S, S) if is_failed_attempt(a, b)}
    assert attempts == {(S.OUT_FOR_DELIVERY, S.IN_TRANSIT)}


def test_scans_only_in_transit() -> None:
    assert [status for status in S if scan_error(status) is None] == [S.IN_TRANSIT]


def _candidate(active: int, capacity: int, minutes: int) -> Candidate:
    signed_up = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    return Candidate(uuid.uuid4(), active, capacity, signed_up)


def test_the_least_loaded_partner_with_room_is_chosen() -> None:
    full = _candidate(3, 3, 0)
    half = _candidate(2, 4, 1)
    third = _candidate(1, 3, 2)
    assert choose_partner([full, half, third]) == third


def test_equal_loads_go_to_the_earliest_signup() -> None:
    late = _candidate(1, 2, 10)
    early = _candidate(2, 4, 5)
    assert choose_partner([late, early]) == early


def test_no_partner_with_room_means_no_choice() -> None:
    assert choose_partner([_candidate(2, 2, 0), _candidate(5, 5, 1)]) is None
    assert choose_partner([]) is None


BODY = {
    "content": "Books",
    "weight": 1.2,
    "destination_zip": "10001",
    "client_contact_email": "ana@example.com",
    "tags": ["gift", "fragile"],
}


def _fingerprint(**changes: object) -> str:
    return fingerprint(order_of(ShipmentCreate.model_validate(BODY | changes), Language.EN))


def test_the_fingerprint_ignores_tag_order_duplicates_and_spacing() -> None:
    assert _fingerprint() == _fingerprint(tags=["fragile", "gift", "gift"])
    assert _fingerprint() == _fingerprint(content="  Books ", destination_zip="10001 ")
    assert _fingerprint() == _fingerprint(weight=1.2000001)


def test_the_fingerprint_changes_with_the_request() -> None:
    assert _fingerprint() != _fingerprint(weight=1.3)
    assert _fingerprint() != _fingerprint(tags=["gift"])


@pytest.mark.parametrize("weight", [0.30000000000000004, 0.1 + 0.2, 24.9999])
def test_any_valid_weight_is_kept_to_the_gram(weight: float) -> None:
    order = order_of(ShipmentCreate.model_validate(BODY | {"weight": weight}), Language.EN)
    assert order.weight == Decimal(str(round(weight, 3)))


@pytest.mark.parametrize(
    "content", ["a\x00b", "\x07", "tab\there", "line\nbreak", "\x7f", "a\x85b"]
)
def test_control_characters_are_refused(content: str) -> None:
    with pytest.raises(ValidationError, match="control characters"):
        ShipmentCreate.model_validate(BODY | {"content": content})


@pytest.mark.parametrize("cursor", ["", "x", "MjAyNi0wMS0wMXxub3QtYS11dWlk", "bm8gc2VwYXJhdG9y"])
def test_foreign_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, ListOrder.CREATED)


def test_a_cursor_reads_on_only_in_the_order_that_gave_it() -> None:
    moment, row_id = datetime(2026, 12, 3, tzinfo=UTC), uuid.uuid4()
    cursor = encode_cursor(ListOrder.UPDATED, moment, row_id)
    assert decode_cursor(cursor, ListOrder.UPDATED) == (moment, row_id)
    with pytest.raises(InvalidCursor, match="`updated` order"):
        decode_cursor(cursor, ListOrder.CREATED)
