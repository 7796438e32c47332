"""the plumbing tables (outbox, processed_events)

Revision ID: 0001
"""
from alembic import op

from services.common.migrations import create_plumbing_tables, drop_plumbing_tables

revision = "0001"
down_revision = None


def upgrade():
    create_plumbing_tables(op)


def downgrade():
    drop_plumbing_tables(op)
