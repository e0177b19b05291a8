"""full-text search over content and tags; lists sorted by last change

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A generated column takes only immutable functions; array_to_string is declared stable (for
# element types whose text form depends on settings), which text[] is not.
SEARCH_DOCUMENT = """
CREATE FUNCTION shipment_search_document(content text, tags text[]) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN to_tsvector('simple', content || ' ' || array_to_string(tags, ' '))
"""


def upgrade() -> None:
    op.execute(SEARCH_DOCUMENT)
    op.add_column(
        "shipments",
        sa.Column(
            "search_vector",
            TSVECTOR(),
            sa.Computed("shipment_search_document(content, tags)", persisted=True),
            nullable=False,
        ),
    )
    # Ten times the default sample of words: a rare word is estimated as rare, so a search for it
    # reads the words index rather than walking a seller's whole list.
    op.execute("ALTER TABLE shipments ALTER COLUMN search_vector SET STATISTICS 1000")
    op.create_index(
        op.f("ix_shipments_search_vector"),
        "shipments",
        ["search_vector"],
        postgresql_using="gin",
    )
    op.create_index(
        op.f("ix_shipments_seller_updated"), "shipments", ["seller_id", "updated_at", "id"]
    )
    op.create_index(
        op.f("ix_shipments_partner_updated"), "shipments", ["partner_id", "updated_at", "id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_shipments_partner_updated"), table_name="shipments")
    op.drop_index(op.f("ix_shipments_seller_updated"), table_name="shipments")
    op.drop_index(op.f("ix_shipments_search_vector"), table_name="shipments")
    op.drop_column("shipments", "search_vector")
    op.execute("DROP FUNCTION shipment_search_document(text, text[])")
