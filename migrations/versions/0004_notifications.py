"""notifications with outcomes, SMS opt-outs, message languages, re-derivable delivery codes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 07:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LANGUAGE_TABLES = ("sellers", "partners", "shipments")
NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column(
            "params", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("attempts", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=True),
        sa.Column("provider_message_id", sa.String(length=100), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_notifications_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notifications_idempotency_key")),
    )
    op.create_index(op.f("ix_notifications_shipment_id"), "notifications", ["shipment_id"])
    op.create_index(
        op.f("ix_notifications_provider_message_id"), "notifications", ["provider_message_id"]
    )
    op.create_table(
        "sms_opt_outs",
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column(
            "opted_out_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_sms_opt_outs")),
    )
    op.add_column("outbox_messages", sa.Column("template", sa.String(length=40), nullable=True))
    op.add_column("outbox_messages", sa.Column("language", sa.String(length=5), nullable=True))
    op.add_column("outbox_messages", sa.Column("html", sa.Text(), nullable=True))
    for table in LANGUAGE_TABLES:
        op.add_column(
            table, sa.Column("language", sa.String(length=5), server_default="en", nullable=False)
        )
    # Codes issued before this revision cannot be re-derived; they are voided.
    op.execute("UPDATE delivery_codes SET voided_at = now() WHERE voided_at IS NULL")
    op.add_column(
        "delivery_codes",
        sa.Column("code_nonce", sa.String(length=32), server_default="", nullable=False),
    )
    op.alter_column("delivery_codes", "code_nonce", server_default=None)


def downgrade() -> None:
    op.drop_column("delivery_codes", "code_nonce")
    for table in LANGUAGE_TABLES:
        op.drop_column(table, "language")
    op.drop_column("outbox_messages", "html")
    op.drop_column("outbox_messages", "language")
    op.drop_column("outbox_messages", "template")
    op.drop_table("sms_opt_outs")
    op.drop_index(op.f("ix_notifications_provider_message_id"), table_name="notifications")
    op.drop_index(op.f("ix_notifications_shipment_id"), table_name="notifications")
    op.drop_table("notifications")
