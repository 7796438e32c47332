"""aspirations.filed_by_kim: whether the named group filed it itself (with its
own key or account); only then does the group see the submitter and a
`rahasia` body. Earlier rows: filed by the group when their first history
entry was written by a kim caller (an Open311 request names a group only
when a kim key sent it).

Revision ID: 0004_authz
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_authz"
down_revision = "0003_injection_publik"


def upgrade():
    # a plain ADD COLUMN: a batch copy of the table would trip the history's foreign key on SQLite
    op.add_column("aspirations", sa.Column("filed_by_kim", sa.Boolean, nullable=False, server_default=sa.false()))
    op.execute("""
        UPDATE aspirations SET filed_by_kim = TRUE
        WHERE kim_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM aspiration_history h
            WHERE h.aspiration_id = aspirations.id AND h.old IS NULL
              AND (h.actor LIKE 'kim:%' OR h.actor LIKE 'open311:%'))
    """)


def downgrade():
    with op.batch_alter_table("aspirations") as batch:
        batch.drop_column("filed_by_kim")
