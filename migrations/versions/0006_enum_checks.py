"""channels, languages and notification statuses are checked like the other enum columns

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 07:55:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The values as of this revision (a later member needs a later migration).
_CHANNELS = "'email', 'sms'"
_LANGUAGES = "'en', 'es'"
_NOTIFICATION_STATUSES = "'pending', 'sent', 'delivered', 'failed', 'suppressed'"
CHECKS = [
    ("ck_notifications_channel", "notifications", f"channel IN ({_CHANNELS})"),
    ("ck_notifications_language", "notifications", f"language IN ({_LANGUAGES})"),
    ("ck_notifications_status", "notifications", f"status IN ({_NOTIFICATION_STATUSES})"),
    ("ck_outbox_messages_channel", "outbox_messages", f"channel IN ({_CHANNELS})"),
    ("ck_outbox_messages_language", "outbox_messages", f"language IN ({_LANGUAGES})"),
    ("ck_shipments_language", "shipments", f"language IN ({_LANGUAGES})"),
    ("ck_sellers_language", "sellers", f"language IN ({_LANGUAGES})"),
    ("ck_partners_language", "partners", f"language IN ({_LANGUAGES})"),
]


def upgrade() -> None:
    for name, table, condition in CHECKS:
        op.create_check_constraint(op.f(name), table, condition)  # f: the name is final


def downgrade() -> None:
    for name, table, _ in reversed(CHECKS):
        op.drop_constraint(op.f(name), table, type_="check")
