"""broadcasts.withdrawn_at: when the issuing office withdrew a broadcast (its
mistake); the CAP feed then shows a Cancel sent at that moment (issue 16).

Revision ID: 0005_withdrawn
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_withdrawn"
down_revision = "0004_authz"


def upgrade():
    op.add_column("broadcasts", sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_column("withdrawn_at")
