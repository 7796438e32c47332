"""broadcasts.title_en, body_en: a broadcast's optional English text (the CAP
alert's en-US info); broadcasts.revisions: the moments a published broadcast
was changed, each a CAP Update of its alert (issue 16).

Revision ID: 0006_english_revisions
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_english_revisions"
down_revision = "0005_withdrawn"


def upgrade():
    op.add_column("broadcasts", sa.Column("title_en", sa.String(200), nullable=True))
    op.add_column("broadcasts", sa.Column("body_en", sa.Text(), nullable=True))
    op.add_column("broadcasts", sa.Column("revisions", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_column("revisions")
        batch.drop_column("body_en")
        batch.drop_column("title_en")
