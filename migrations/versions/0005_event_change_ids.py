"""timeline events name the change they record

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("shipment_events", sa.Column("change_id", sa.String(length=200), nullable=True))
    # Events stored before: each its own change.
    op.execute("UPDATE shipment_events SET change_id = 'stored-' || id::text")
    op.alter_column("shipment_events", "change_id", nullable=False)
    op.create_unique_constraint(
        "uq_shipment_events_shipment_change", "shipment_events", ["shipment_id", "change_id"]
    )


def downgrade() -> None:
    op.drop_constraint("uq_shipment_events_shipment_change", "shipment_events", type_="unique")
    op.drop_column("shipment_events", "change_id")
