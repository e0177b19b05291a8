"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 18:58:06.329034
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("serviceable_zip_codes", postgresql.ARRAY(sa.String(length=10)), nullable=False),
        sa.Column("max_handling_capacity", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("max_handling_capacity > 0", name=op.f("ck_partners_positive_capacity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
    )
    op.create_index(
        "ix_partners_serviceable_zip_codes",
        "partners",
        ["serviceable_zip_codes"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "uq_partners_email_lower", "partners", [sa.literal_column("lower(email)")], unique=True
    )
    op.create_table(
        "sellers",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sellers")),
    )
    op.create_index(
        "uq_sellers_email_lower", "sellers", [sa.literal_column("lower(email)")], unique=True
    )
    op.create_table(
        "shipments",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "placed",
                "in_transit",
                "out_for_delivery",
                "delivered",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("content", sa.String(length=500), nullable=False),
        sa.Column("weight", sa.Numeric(precision=6, scale=3), nullable=False),
        sa.Column("destination_zip", sa.String(length=10), nullable=False),
        sa.Column("client_contact_email", sa.String(length=320), nullable=False),
        sa.Column("client_contact_phone", sa.String(length=20), nullable=True),
        sa.Column(
            "tags", postgresql.ARRAY(sa.String(length=30)), server_default="{}", nullable=False
        ),
        sa.Column("tracking_code", sa.String(length=64), nullable=False),
        sa.Column("estimated_delivery", sa.DateTime(timezone=True), nullable=False),
        sa.Column("needs_attention", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("weight > 0 AND weight <= 25", name=op.f("ck_shipments_weight_range")),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_shipments_partner_id_partners")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_shipments_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("seller_id", "idempotency_key", name="uq_shipments_seller_idempotency"),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_shipments_tracking_code")),
    )
    op.create_index(
        "ix_shipments_partner_status", "shipments", ["partner_id", "status"], unique=False
    )
    op.create_index(
        "ix_shipments_seller_created", "shipments", ["seller_id", "created_at"], unique=False
    )
    op.create_table(
        "shipment_events",
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("event_key", sa.String(length=100), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "placed",
                "in_transit",
                "out_for_delivery",
                "delivered",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("location_zip", sa.String(length=10), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_events_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_events")),
        sa.UniqueConstraint("shipment_id", "event_key", name="uq_shipment_events_shipment_key"),
    )
    op.create_index(
        "ix_shipment_events_shipment_occurred",
        "shipment_events",
        ["shipment_id", "occurred_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_shipment_events_shipment_occurred", table_name="shipment_events")
    op.drop_table("shipment_events")
    op.drop_index("ix_shipments_seller_created", table_name="shipments")
    op.drop_index("ix_shipments_partner_status", table_name="shipments")
    op.drop_table("shipments")
    op.drop_index("uq_sellers_email_lower", table_name="sellers")
    op.drop_table("sellers")
    op.drop_index("uq_partners_email_lower", table_name="partners")
    op.drop_index(
        "ix_partners_serviceable_zip_codes", table_name="partners", postgresql_using="gin"
    )
    op.drop_table("partners")
