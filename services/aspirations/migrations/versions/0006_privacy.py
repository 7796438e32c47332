"""Personal data under UU 27/2022 (issue 16): the consent records of the
submitters' contacts (`consents`, services/common/privacy.py
ConsentRecordMixin) and `aspirations.contact_erased_at`, when the contact was
erased (by the retention timer or on the person's request).

Revision ID: 0006_privacy
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_privacy"
down_revision = "0005_hoax"


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
    # a plain ADD COLUMN: a batch copy of the table would trip the history's foreign key on SQLite
    op.add_column("aspirations", sa.Column("contact_erased_at", sa.DateTime(timezone=True)))


def downgrade():
    with op.batch_alter_table("aspirations") as batch:
        batch.drop_column("contact_erased_at")
    op.drop_table("consents")
