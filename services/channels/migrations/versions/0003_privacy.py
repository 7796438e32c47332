"""Personal data under UU 27/2022 (issue 16): the consent records of the
channels' addresses (`consents`, services/common/privacy.py
ConsentRecordMixin). An erased channel needs no column of its own: it is
stopped with `paused_reason` "erased" and no address.

Revision ID: 0003_privacy
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_privacy"
down_revision = "0002"


def upgrade():
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("record", sa.String(80), nullable=False, index=True),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("notice_version", sa.String(20), nullable=False),
        sa.Column("basis", sa.String(30), nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("given_by", sa.String(100), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("consents")
