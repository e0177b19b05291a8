"""Domain types shared by the API, workflows and activities. Import-pure: safe inside workflows."""

from enum import StrEnum
from typing import Final

from temporalio.common import SearchAttributeKey


class ShipmentStatus(StrEnum):
    PLACED = "placed"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (ShipmentStatus.DELIVERED, ShipmentStatus.CANCELLED)


class Role(StrEnum):
    SELLER = "seller"
    PARTNER = "partner"
    OPERATOR = "operator"  # reads every shipment, changes none; made by a CLI command only


class Language(StrEnum):
    """Message languages; accounts choose theirs, shipments default to the seller's."""

    EN = "en"
    ES = "es"


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class CancelReason(StrEnum):
    SELLER = "seller"  # the seller cancelled it
    NO_PARTNER = "no_partner"  # no partner had room before the assignment deadline


class ShipmentTag(StrEnum):
    EXPRESS = "express"
    STANDARD = "standard"
    FRAGILE = "fragile"
    HEAVY = "heavy"
    INTERNATIONAL = "international"
    DOMESTIC = "domestic"
    TEMPERATURE_CONTROLLED = "temperature_controlled"
    GIFT = "gift"
    RETURN = "return"
    DOCUMENTS = "documents"


# The one task queue of every workflow and activity of the product (shipments and accounts alike).
# Named when it served shipments only; renaming it would strand the workflows open on it.
TASK_QUEUE: Final = "shipments"
# Sent to a shipment waiting for a partner when one in its zip has room again.
CAPACITY_FREED_SIGNAL: Final = "capacity_freed"


class SearchAttributes:
    """Custom search attributes operators filter shipments by in the Temporal UI."""

    SHIPMENT_STATUS: Final = SearchAttributeKey.for_keyword("ShipmentStatus")
    SELLER_ID: Final = SearchAttributeKey.for_keyword("SellerId")
    PARTNER_ID: Final = SearchAttributeKey.for_keyword("PartnerId")
    DESTINATION_ZIP: Final = SearchAttributeKey.for_keyword("DestinationZip")
    NEEDS_ATTENTION: Final = SearchAttributeKey.for_bool("NeedsAttention")

    ALL: Final[tuple[SearchAttributeKey[str] | SearchAttributeKey[bool], ...]] = (
        SHIPMENT_STATUS,
        SELLER_ID,
        PARTNER_ID,
        DESTINATION_ZIP,
        NEEDS_ATTENTION,
    )
