"""aspirations, their history, the KIM directory replica

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    op.create_table(
        "aspirations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tracking_code", sa.String(16), nullable=False, unique=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("category", sa.String(50), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("village_code", sa.String(13), nullable=False),
        sa.Column("regency_code", sa.String(5), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("kim_id", sa.String(32)),
        sa.Column("broadcast_id", sa.String(36)),
        sa.Column("submitter", sa.JSON, nullable=False),
        sa.Column("anonim", sa.Boolean, nullable=False),
        sa.Column("rahasia", sa.Boolean, nullable=False),
        sa.Column("attachments", sa.JSON, nullable=False),
        sa.Column("status", sa.String(15), nullable=False),
        sa.Column("response", sa.Text),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("overdue", sa.Boolean, nullable=False),
        sa.Column("escalated", sa.Boolean, nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forwarded_at", sa.DateTime(timezone=True)),
        sa.Column("responded_at", sa.DateTime(timezone=True)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    for column in ("category", "regency_code", "province_code", "kim_id", "status", "due_at"):
        op.create_index(f"ix_aspirations_{column}", "aspirations", [column])
    op.create_table(
        "aspiration_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("aspiration_id", sa.String(36), sa.ForeignKey("aspirations.id"), nullable=False),
        sa.Column("old", sa.String(15)),
        sa.Column("new", sa.String(15), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_aspiration_history_aspiration_id", "aspiration_history", ["aspiration_id"])
    op.create_table(
        "kim_directory",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("village_code", sa.String(13), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )


def downgrade():
    for table in ("kim_directory", "aspiration_history", "aspirations"):
        op.drop_table(table)
