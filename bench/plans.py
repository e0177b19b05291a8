"""The query plans of the list and tracking reads, on the seeded database."""

from typing import Any

from sqlalchemy import Select, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine

from models.accounts import Partner, Seller
from models.domain import ShipmentStatus
from models.shipments import Shipment
from repositories.shipments import TRACKING_DOCUMENT, ShipmentFilters, page_query


def _sql(query: Select[Any]) -> str:
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


async def query_plans(engine: AsyncEngine) -> str:
    """EXPLAIN ANALYZE of each list variant and of the tracking lookup, as one text."""
    async with engine.connect() as connection:
        seller_id = await connection.scalar(select(Seller.id).limit(1))
        partner_id = await connection.scalar(select(Partner.id).limit(1))
        tracking_code = await connection.scalar(select(Shipment.tracking_code).limit(1))
        lists = {
            "seller list, newest first": (Shipment.seller_id == seller_id, ShipmentFilters()),
            "seller list, status filter": (
                Shipment.seller_id == seller_id,
                ShipmentFilters(status=ShipmentStatus.CANCELLED),
            ),
            "seller list, text search": (
                Shipment.seller_id == seller_id,
                ShipmentFilters(q="parcel 4242"),
            ),
            "partner list, newest first": (Shipment.partner_id == partner_id, ShipmentFilters()),
        }
        statements = {
            name: _sql(page_query(owner, filters, 20, None))
            for name, (owner, filters) in lists.items()
        }
        tracking = TRACKING_DOCUMENT.params(tracking_code=tracking_code)
        statements["tracking document"] = _sql(tracking)
        parts = []
        for name, statement in statements.items():
            rows = await connection.execute(text(f"EXPLAIN (ANALYZE, COSTS OFF) {statement}"))
            plan = "\n".join(f"    {row[0]}" for row in rows)
            parts.append(f"{name}:\n{plan}")
    return "\n".join(parts)
