"""the KIM directory replica

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    op.create_table(
        "kim_directory",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("village_code", sa.String(13), nullable=False),
        sa.Column("district_code", sa.String(8), nullable=False),
        sa.Column("regency_code", sa.String(5), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("classification", sa.String(20), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    for column in ("village_code", "district_code", "regency_code", "province_code", "status"):
        op.create_index(f"ix_kim_directory_{column}", "kim_directory", [column])
    op.create_table(
        "kim_directory_tags",
        sa.Column("kim_id", sa.String(32), sa.ForeignKey("kim_directory.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tag", sa.String(40), primary_key=True),
    )
    op.create_index("ix_kim_directory_tags_tag", "kim_directory_tags", ["tag"])


def downgrade():
    op.drop_table("kim_directory_tags")
    op.drop_table("kim_directory")
