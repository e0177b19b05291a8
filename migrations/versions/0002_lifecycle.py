"""shipment lifecycle: event sequences, delivery codes, reviews, outbox, list indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 04:50:18.663327
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "delivery_codes",
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_attempts", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "failed_attempts >= 0", name=op.f("ck_delivery_codes_attempts_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_delivery_codes_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shipment_id", name=op.f("pk_delivery_codes")),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_outbox_messages_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_messages_idempotency_key")),
    )
    op.create_index(
        op.f("ix_outbox_messages_recipient"), "outbox_messages", ["recipient"], unique=False
    )
    op.create_index(
        op.f("ix_outbox_messages_shipment_id"), "outbox_messages", ["shipment_id"], unique=False
    )
    op.create_table(
        "reviews",
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_reviews_rating_range")),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_reviews_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shipment_id", name=op.f("pk_reviews")),
    )
    op.add_column("shipment_events", sa.Column("sequence", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE shipment_events SET sequence = numbered.n FROM ("
        " SELECT id, row_number() OVER (PARTITION BY shipment_id ORDER BY occurred_at, id) AS n"
        " FROM shipment_events) AS numbered WHERE shipment_events.id = numbered.id"
    )
    op.alter_column("shipment_events", "sequence", nullable=False)
    op.drop_index(op.f("ix_shipment_events_shipment_occurred"), table_name="shipment_events")
    op.drop_constraint(op.f("uq_shipment_events_shipment_key"), "shipment_events", type_="unique")
    op.create_unique_constraint(
        "uq_shipment_events_shipment_sequence", "shipment_events", ["shipment_id", "sequence"]
    )
    op.drop_column("shipment_events", "event_key")
    op.add_column(
        "shipments",
        sa.Column("reassignments", sa.SmallInteger(), server_default="0", nullable=False),
    )
    op.execute("UPDATE shipments SET request_fingerprint = '' WHERE request_fingerprint IS NULL")
    op.alter_column(
        "shipments", "request_fingerprint", existing_type=sa.VARCHAR(length=64), nullable=False
    )
    op.drop_index(op.f("ix_shipments_partner_status"), table_name="shipments")
    op.drop_index(op.f("ix_shipments_seller_created"), table_name="shipments")
    op.create_index(
        "ix_shipments_seller_created", "shipments", ["seller_id", "created_at", "id"], unique=False
    )
    op.create_index(
        "ix_shipments_content_trgm",
        "shipments",
        ["content"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"content": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_shipments_partner_active",
        "shipments",
        ["partner_id"],
        unique=False,
        postgresql_where=sa.text("status NOT IN ('delivered', 'cancelled')"),
    )
    op.create_index(
        "ix_shipments_partner_created",
        "shipments",
        ["partner_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_shipments_tags", "shipments", ["tags"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        "ix_shipments_waiting",
        "shipments",
        ["destination_zip", "created_at"],
        unique=False,
        postgresql_where=sa.text("status = 'placed' AND partner_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_shipments_waiting",
        table_name="shipments",
        postgresql_where=sa.text("status = 'placed' AND partner_id IS NULL"),
    )
    op.drop_index("ix_shipments_tags", table_name="shipments", postgresql_using="gin")
    op.drop_index("ix_shipments_partner_created", table_name="shipments")
    op.drop_index(
        "ix_shipments_partner_active",
        table_name="shipments",
        postgresql_where=sa.text("status NOT IN ('delivered', 'cancelled')"),
    )
    op.drop_index(
        "ix_shipments_content_trgm",
        table_name="shipments",
        postgresql_using="gin",
        postgresql_ops={"content": "gin_trgm_ops"},
    )
    op.drop_index("ix_shipments_seller_created", table_name="shipments")
    op.create_index(
        op.f("ix_shipments_seller_created"), "shipments", ["seller_id", "created_at"], unique=False
    )
    op.create_index(
        op.f("ix_shipments_partner_status"), "shipments", ["partner_id", "status"], unique=False
    )
    op.alter_column(
        "shipments", "request_fingerprint", existing_type=sa.VARCHAR(length=64), nullable=True
    )
    op.drop_column("shipments", "reassignments")
    op.add_column("shipment_events", sa.Column("event_key", sa.VARCHAR(length=100), nullable=True))
    op.execute("UPDATE shipment_events SET event_key = sequence::text")
    op.alter_column("shipment_events", "event_key", nullable=False)
    op.drop_constraint("uq_shipment_events_shipment_sequence", "shipment_events", type_="unique")
    op.create_unique_constraint(
        op.f("uq_shipment_events_shipment_key"), "shipment_events", ["shipment_id", "event_key"]
    )
    op.create_index(
        op.f("ix_shipment_events_shipment_occurred"),
        "shipment_events",
        ["shipment_id", "occurred_at"],
        unique=False,
    )
    op.drop_column("shipment_events", "sequence")
    op.drop_table("reviews")
    op.drop_index(op.f("ix_outbox_messages_shipment_id"), table_name="outbox_messages")
    op.drop_index(op.f("ix_outbox_messages_recipient"), table_name="outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_table("delivery_codes")
