"""Every table, so Alembic and the tests see the whole schema through one import."""

from models.accounts import Partner, Seller
from models.base import Base
from models.outbox import OutboxMessage
from models.shipments import DeliveryCode, Review, Shipment, ShipmentEvent

metadata = Base.metadata

__all__ = [
    "DeliveryCode",
    "OutboxMessage",
    "Partner",
    "Review",
    "Seller",
    "Shipment",
    "ShipmentEvent",
    "metadata",
]
