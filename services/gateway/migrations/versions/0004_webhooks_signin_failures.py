"""failed sign-ins per client address and name (sign-in abuse limits)

Revision ID: 0004_webhooks_signin
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_webhooks_signin"
down_revision = "0003"


def upgrade():
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("name_hash", sa.String(64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sign_in_failures_failed_at", "sign_in_failures", ["failed_at"])
    op.create_index("ix_sign_in_failures_address", "sign_in_failures", ["address", "failed_at"])
    op.create_index("ix_sign_in_failures_name", "sign_in_failures", ["name_hash", "address", "failed_at"])


def downgrade():
    op.drop_table("sign_in_failures")
