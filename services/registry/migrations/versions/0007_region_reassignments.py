"""the groups whose village a newer release of the region data removed, to reassign

Revision ID: 0007_region_reassignments
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_region_reassignments"
down_revision = "0006_evaluation_criteria"


def upgrade():
    op.create_table(
        "region_reassignments",
        sa.Column("kim_id", sa.String(32), primary_key=True),
        sa.Column("village_code", sa.String(13), nullable=False),
        sa.Column("regency_code", sa.String(5), nullable=False, index=True),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("region_reassignments")
