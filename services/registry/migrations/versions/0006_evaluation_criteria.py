"""the classification criteria of the evaluation, per country, province or regency

Revision ID: 0006_evaluation_criteria
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_evaluation_criteria"
down_revision = "0005_posts"


def upgrade():
    op.create_table(
        "evaluation_criteria",
        sa.Column("region_code", sa.String(13), primary_key=True),
        sa.Column("criteria", sa.JSON, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("evaluation_criteria")
