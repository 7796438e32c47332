"""publik: the submitter chose to publish the aspiration (the Open311 list
shows only those); existing aspirations stay unpublished

Revision ID: 0003_injection_publik
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_injection_publik"
down_revision = "0002"


def upgrade():
    # a plain ADD COLUMN: a batch copy of the table would trip the history's foreign key on SQLite
    op.add_column("aspirations", sa.Column("publik", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("aspirations") as batch:
        batch.drop_column("publik")
