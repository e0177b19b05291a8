"""lists filtered by status: an index per account, status and creation

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:15:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_shipments_seller_status_created": ["seller_id", "status", "created_at", "id"],
    "ix_shipments_partner_status_created": ["partner_id", "status", "created_at", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "shipments", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="shipments")
