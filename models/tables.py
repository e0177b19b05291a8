"""Every table, so Alembic and the tests see the whole schema through one import."""

from models.accounts import Partner, Seller
from models.base import Base
from models.shipments import Shipment, ShipmentEvent

metadata = Base.metadata

__all__ = ["Partner", "Seller", "Shipment", "ShipmentEvent", "metadata"]
