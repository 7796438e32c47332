"""hoax_cases and hoax_reports (issue 15, the hoax clarification loop).

Revision ID: 0005_hoax
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_hoax"
down_revision = "0004_authz"


def upgrade():
    op.create_table(
        "hoax_cases",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("province_code", sa.String(2), nullable=False, index=True),
        sa.Column("claim", sa.Text, nullable=False),
        sa.Column("status", sa.String(15), nullable=False, index=True),
        sa.Column("title", sa.String(200)),
        sa.Column("label", sa.String(30), index=True),
        sa.Column("explanation", sa.Text),
        sa.Column("sources", sa.JSON, nullable=False),
        sa.Column("labelled_by", sa.String(100)),
        sa.Column("labelled_at", sa.DateTime(timezone=True), index=True),
        sa.Column("broadcast_id", sa.String(36)),
        sa.Column("clarified_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "hoax_reports",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("hoax_cases.id"), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("link", sa.String(500)),
        sa.Column("seen_on", sa.String(30), nullable=False),
        sa.Column("seen_at", sa.Date),
        sa.Column("village_code", sa.String(13), nullable=False, index=True),
        sa.Column("province_code", sa.String(2), nullable=False, index=True),
        sa.Column("kim_id", sa.String(32), index=True),
        sa.Column("reporter", sa.String(100), nullable=False),
        sa.Column("score", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("hoax_reports")
    op.drop_table("hoax_cases")
