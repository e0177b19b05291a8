"""The query plans of the list and tracking reads, on the seeded database.

`python -m bench.plans --shipments N` prints them for N stored shipments on a PostgreSQL of its
own (no Temporal, no API): the plans at 100,000 and 1,000,000 shipments take minutes, not a
whole bench run.
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.database import seed_shipments
from bench.report import say
from launcher.dev import DATABASE_NAME, create_database_if_missing
from launcher.embedded import EmbeddedPostgres
from migrations import migrate
from models.accounts import Partner, Seller
from models.domain import ShipmentStatus
from models.shipments import Shipment
from repositories.cursors import ListOrder
from repositories.shipments import TRACKING_DOCUMENT, ShipmentFilters, page_query

ACCOUNTS = 4  # each of sellers and partners, as the bench signs up


def _sql(query: Select[Any]) -> str:
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


async def query_plans(engine: AsyncEngine) -> str:
    """EXPLAIN ANALYZE of each list variant and of the tracking lookup, as one text."""
    async with engine.connect() as connection:
        seller_id = await connection.scalar(select(Seller.id).limit(1))
        partner_id = await connection.scalar(select(Partner.id).limit(1))
        tracking_code = await connection.scalar(select(Shipment.tracking_code).limit(1))
        seller, partner = Shipment.seller_id == seller_id, Shipment.partner_id == partner_id
        lists = {
            "seller list, newest first": (seller, ShipmentFilters(), ListOrder.CREATED),
            "seller list, last changed first": (seller, ShipmentFilters(), ListOrder.UPDATED),
            "seller list, status filter": (
                seller,
                ShipmentFilters(status=ShipmentStatus.CANCELLED),
                ListOrder.CREATED,
            ),
            # None of the seeded shipments is in transit: the filter finds nothing.
            "seller list, a status it has none of": (
                seller,
                ShipmentFilters(status=ShipmentStatus.IN_TRANSIT),
                ListOrder.CREATED,
            ),
            "seller list, a status it has none of, last changed first": (
                seller,
                ShipmentFilters(status=ShipmentStatus.IN_TRANSIT),
                ListOrder.UPDATED,
            ),
            "seller list, search (few match)": (
                seller,
                ShipmentFilters(q="parcel 4242"),
                ListOrder.CREATED,
            ),
            "seller list, search (most match) with a status": (
                seller,
                ShipmentFilters(q="seeded -4242", status=ShipmentStatus.DELIVERED),
                ListOrder.UPDATED,
            ),
            "partner list, newest first": (partner, ShipmentFilters(), ListOrder.CREATED),
            "partner list, search (few match)": (
                partner,
                ShipmentFilters(q='"parcel 4243"'),
                ListOrder.CREATED,
            ),
        }
        statements = {
            name: _sql(page_query(owner, filters, 20, None, order))
            for name, (owner, filters, order) in lists.items()
        }
        tracking = TRACKING_DOCUMENT.params(tracking_code=tracking_code)
        statements["tracking document"] = _sql(tracking)
        parts = []
        for name, statement in statements.items():
            rows = await connection.execute(text(f"EXPLAIN (ANALYZE, COSTS OFF) {statement}"))
            plan = "\n".join(f"    {row[0]}" for row in rows)
            parts.append(f"{name}:\n{plan}")
    return "\n".join(parts)


async def _accounts(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for index in range(ACCOUNTS):
            account = {"name": f"Plans {index}", "email": f"plans-{index}@example.com"}
            await connection.execute(
                text("INSERT INTO sellers (id, name, email, password_hash) "
                     "VALUES (gen_random_uuid(), :name, :email, '')"),
                account,
            )  # fmt: skip
            await connection.execute(
                text("INSERT INTO partners (id, name, email, password_hash, "
                     "serviceable_zip_codes, max_handling_capacity) "
                     "VALUES (gen_random_uuid(), :name, :email, '', ARRAY[:zip], 10000)"),
                account | {"zip": str(10001 + index)},
            )  # fmt: skip


async def _plans_at(postgres: EmbeddedPostgres, shipments: int) -> str:
    await create_database_if_missing(postgres.url("postgres"), DATABASE_NAME)
    database_url = postgres.url(DATABASE_NAME)
    await migrate(database_url)
    engine = create_async_engine(database_url)
    try:
        await _accounts(engine)
        started = time.perf_counter()
        await seed_shipments(engine, shipments)
        say(f"Seeded {shipments:,} shipments in {time.perf_counter() - started:.0f} s.")
        return await query_plans(engine)
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.plans", description=__doc__)
    parser.add_argument("--shipments", type=int, default=100_000, help="shipments stored")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fastship-plans-") as state:
        postgres = EmbeddedPostgres(Path(state) / "postgres")
        try:
            say(asyncio.run(_plans_at(postgres, args.shipments)))
        finally:
            postgres.stop()


if __name__ == "__main__":
    main()
