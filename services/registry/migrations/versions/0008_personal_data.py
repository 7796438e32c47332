"""personal data (issue 16, UU 27/2022): consent records, members removed softly (then
erased after the retention period) and the offices' erasure requests

Revision ID: 0008_personal_data
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_personal_data"
down_revision = "0007_region_reassignments"


def upgrade():
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("record", sa.String(80), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("notice_version", sa.String(20), nullable=False),
        sa.Column("basis", sa.String(30), nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("given_by", sa.String(100), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_consents_record", "consents", ["record"])
    op.add_column("members", sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("members", sa.Column("removed_by", sa.String(100), nullable=True))
    op.add_column("members", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    # the retention timer looks for members by when they were removed
    op.create_index("ix_members_removed_at", "members", ["removed_at"])
    op.create_table(
        "erasures",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("requested_by", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("services", sa.JSON, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_erasures_requested_by", "erasures", ["requested_by"])
    op.create_index("ix_erasures_requested_at", "erasures", ["requested_at"])


def downgrade():
    op.drop_table("erasures")
    op.drop_index("ix_members_removed_at", "members")
    with op.batch_alter_table("members") as members:
        members.drop_column("erased_at")
        members.drop_column("removed_by")
        members.drop_column("removed_at")
    op.drop_index("ix_consents_record", "consents")
    op.drop_table("consents")
