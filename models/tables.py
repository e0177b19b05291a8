"""Every table, so Alembic and the tests see the whole schema through one import."""

from models.accounts import Partner, Seller
from models.base import Base
from models.notifications import Notification, OutboxMessage, SmsOptOut
from models.shipments import DeliveryCode, Review, Shipment, ShipmentEvent
from models.webhooks import WebhookDelivery, WebhookEndpoint

metadata = Base.metadata

__all__ = [
    "DeliveryCode",
    "Notification",
    "OutboxMessage",
    "Partner",
    "Review",
    "Seller",
    "Shipment",
    "ShipmentEvent",
    "SmsOptOut",
    "WebhookDelivery",
    "WebhookEndpoint",
    "metadata",
]
