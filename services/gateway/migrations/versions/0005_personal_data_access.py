"""the personal data access log (issue 16, UU 27/2022)

Revision ID: 0005_personal_data_access
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_personal_data_access"
down_revision = "0004_webhooks_signin"


def upgrade():
    op.create_table(
        "personal_data_access",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
    )
    op.create_index("ix_personal_data_access_at", "personal_data_access", ["at"])
    op.create_index("ix_personal_data_access_actor", "personal_data_access", ["actor"])


def downgrade():
    op.drop_table("personal_data_access")
