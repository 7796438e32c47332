"""regions, region loads and the plumbing tables

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

from services.common.migrations import create_plumbing_tables, drop_plumbing_tables

revision = "0001"
down_revision = None


def upgrade():
    create_plumbing_tables(op)
    op.create_table(
        "regions",
        sa.Column("code", sa.String(13), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("parent_code", sa.String(13)),
    )
    op.create_index("ix_regions_parent_code", "regions", ["parent_code"])
    op.create_table(
        "region_loads",
        sa.Column("source", sa.String(50), primary_key=True),
        sa.Column("provinces", sa.Integer, nullable=False),
        sa.Column("regencies", sa.Integer, nullable=False),
        sa.Column("districts", sa.Integer, nullable=False),
        sa.Column("villages", sa.Integer, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("region_loads")
    op.drop_index("ix_regions_parent_code", table_name="regions")
    op.drop_table("regions")
    drop_plumbing_tables(op)
