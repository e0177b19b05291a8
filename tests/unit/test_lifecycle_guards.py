"""The guards the shipment workflow's validators run, without a workflow: what each actor is
refused, and why, in the words the API answers with."""

import dataclasses
import uuid

import pytest

from models.domain import ShipmentStatus
from models.lifecycle import (
    Refused,
    ShipmentFacts,
    cancel_refused,
    report_refused,
    review_refused,
)
from models.workflow_io import CancelRequest, PartnerReport, Refusal

S = ShipmentStatus
SELLER, PARTNER, STRANGER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
IN_TRANSIT = ShipmentFacts(
    status=S.IN_TRANSIT, placed=True, seller_id=SELLER, partner_id=PARTNER, reviewed=False
)


def _at(status: ShipmentStatus, *, placed: bool = True, reviewed: bool = False) -> ShipmentFacts:
    return dataclasses.replace(IN_TRANSIT, status=status, placed=placed, reviewed=reviewed)


def _kind(refused: Refused | None) -> Refusal | None:
    return refused.refusal if refused else None


@pytest.mark.parametrize(
    ("shipment", "report", "expected"),
    [
        (IN_TRANSIT, PartnerReport(partner_id=PARTNER, status=S.OUT_FOR_DELIVERY), None),
        (IN_TRANSIT, PartnerReport(partner_id=PARTNER, location_zip="07030"), None),
        (IN_TRANSIT, PartnerReport(partner_id=STRANGER, location_zip="07030"), Refusal.NOT_FOUND),
        (
            _at(S.PLACED, placed=False),
            PartnerReport(partner_id=PARTNER, status=S.IN_TRANSIT),
            Refusal.NOT_FOUND,
        ),
        (
            _at(S.PLACED),
            PartnerReport(partner_id=PARTNER, location_zip="07030"),
            Refusal.INVALID_TRANSITION,
        ),
        (
            IN_TRANSIT,
            PartnerReport(partner_id=PARTNER, status=S.DELIVERED),
            Refusal.INVALID_TRANSITION,
        ),
        (
            _at(S.OUT_FOR_DELIVERY),
            PartnerReport(partner_id=PARTNER, status=S.IN_TRANSIT),
            Refusal.REASON_REQUIRED,
        ),
        (
            _at(S.OUT_FOR_DELIVERY),
            PartnerReport(partner_id=PARTNER, status=S.IN_TRANSIT, description="Nobody home"),
            None,
        ),
        (
            _at(S.DELIVERED),
            PartnerReport(partner_id=PARTNER, status=S.IN_TRANSIT, description="Oops"),
            Refusal.INVALID_TRANSITION,
        ),
    ],
)
def test_a_partners_report_is_refused_only_when_it_breaks_a_rule(
    shipment: ShipmentFacts, report: PartnerReport, expected: Refusal | None
) -> None:
    assert _kind(report_refused(shipment, report)) is expected


def test_a_scan_out_of_transit_says_when_scans_are_accepted() -> None:
    refused = report_refused(_at(S.PLACED), PartnerReport(partner_id=PARTNER, location_zip="1"))
    assert refused == Refused(
        Refusal.INVALID_TRANSITION,
        "Location scans are accepted only while in_transit; the shipment is placed",
    )


@pytest.mark.parametrize(
    ("shipment", "seller", "expected"),
    [
        (_at(S.PLACED), SELLER, None),
        (IN_TRANSIT, SELLER, None),
        (IN_TRANSIT, STRANGER, Refusal.NOT_FOUND),
        (_at(S.PLACED, placed=False), SELLER, Refusal.NOT_FOUND),
        (_at(S.CANCELLED), SELLER, Refusal.ALREADY_CANCELLED),
        (_at(S.OUT_FOR_DELIVERY), SELLER, Refusal.INVALID_TRANSITION),
        (_at(S.DELIVERED), SELLER, Refusal.INVALID_TRANSITION),
    ],
)
def test_a_sellers_cancellation_is_refused_once_the_parcel_is_on_its_way_or_not_theirs(
    shipment: ShipmentFacts, seller: uuid.UUID, expected: Refusal | None
) -> None:
    assert _kind(cancel_refused(shipment, CancelRequest(seller_id=seller))) is expected


@pytest.mark.parametrize(
    ("shipment", "expected"),
    [
        (_at(S.DELIVERED), None),
        (_at(S.DELIVERED, reviewed=True), Refusal.ALREADY_REVIEWED),
        (_at(S.OUT_FOR_DELIVERY), Refusal.NOT_DELIVERED),
        (_at(S.CANCELLED), Refusal.NOT_DELIVERED),
    ],
)
def test_a_review_is_taken_once_and_only_after_delivery(
    shipment: ShipmentFacts, expected: Refusal | None
) -> None:
    assert _kind(review_refused(shipment)) is expected
