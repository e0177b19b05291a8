"""Direct SQL the API has no route for: verifying bench accounts and seeding stored shipments."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# Seeded shipments are finished (delivered or cancelled), as most stored ones are, so none of them
# needs a running workflow. They belong to every seller and partner, with four timeline events
# for a delivery and two for a cancellation. Their contents share common words and a long tail of
# rarer ones, as real ones do: PostgreSQL estimates a word missing from its statistics from the
# rarest one they hold. Columns as in migrations/versions/ at writing time.
SEED_SHIPMENTS = text("""
WITH partner AS (
    SELECT array_agg(id ORDER BY created_at, id) AS ids,
           array_agg(serviceable_zip_codes[1] ORDER BY created_at, id) AS zips
    FROM partners
), seller AS (
    SELECT array_agg(id ORDER BY created_at, id) AS ids FROM sellers
), shipment AS (
    INSERT INTO shipments (
        id, seller_id, partner_id, status, content, weight, destination_zip,
        client_contact_email, tracking_code, estimated_delivery, request_fingerprint,
        created_at, updated_at
    )
    SELECT gen_random_uuid(),
           seller.ids[1 + n % cardinality(seller.ids)],
           partner.ids[1 + n % cardinality(partner.ids)],
           CASE WHEN n % 10 = 0 THEN 'cancelled' ELSE 'delivered' END,
           'Seeded parcel ' || n || ': ' || (ARRAY[
               'blue ceramic mug', 'hardcover books', 'glass vase', 'wool scarf', 'desk lamp',
               'running shoes', 'coffee beans', 'phone case', 'oak side table', 'linen shirt',
               'board game', 'steel water bottle', 'silver earrings', 'garden tools',
               'vinyl records', 'baby blanket', 'chef knife', 'yoga mat', 'wall clock', 'tea set'
           ])[1 + n % 20] || ', batch b' || n % 5000,
           1 + n % 20,
           partner.zips[1 + n % cardinality(partner.ids)],
           'recipient-' || n || '@example.com',
           md5(n || '-' || random()),
           now() - n * interval '1 minute' + interval '3 days',
           '',
           now() - n * interval '1 minute',
           now() - n * interval '1 minute'
    FROM generate_series(1, :count) AS n, partner, seller
    RETURNING id, status, created_at
)
INSERT INTO shipment_events (
    id, shipment_id, sequence, change_id, status, description, actor, occurred_at
)
SELECT gen_random_uuid(), shipment.id, event.sequence, 'seed-' || event.sequence, event.status,
       'Seeded', 'seed', shipment.created_at + event.sequence * interval '1 hour'
FROM shipment CROSS JOIN LATERAL unnest(
    CASE WHEN shipment.status = 'delivered'
         THEN ARRAY['placed', 'in_transit', 'out_for_delivery', 'delivered']
         ELSE ARRAY['placed', 'cancelled'] END
) WITH ORDINALITY AS event(status, sequence)
""")


async def verify_all_accounts(engine: AsyncEngine) -> None:
    """Bench accounts have no inbox: mark every email verified (login and assignment need it)."""
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE sellers SET email_verified_at = now()"))
        await connection.execute(text("UPDATE partners SET email_verified_at = now()"))


async def seed_shipments(engine: AsyncEngine, count: int) -> None:
    async with engine.begin() as connection:
        await connection.execute(SEED_SHIPMENTS, {"count": count})
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE shipments, shipment_events"))
