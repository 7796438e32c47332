"""posts of the groups (issue 15) and the regencies that review them before publication

Revision ID: 0005_posts
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_posts"
down_revision = "0004_imports"


def upgrade():
    op.create_table(
        "posts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kim_id", sa.String(32), sa.ForeignKey("kims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("body_html", sa.Text, nullable=False),
        sa.Column("images", sa.JSON, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(500)),
        sa.Column("reviewed_by", sa.String(100)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_posts_kim_id", "posts", ["kim_id"])
    op.create_index("ix_posts_status", "posts", ["status"])
    op.create_index("ix_posts_published_at", "posts", ["published_at"])
    op.create_table(
        "regency_post_review",
        sa.Column("regency_code", sa.String(5), primary_key=True),
        sa.Column("required", sa.Boolean, nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("regency_post_review")
    op.drop_table("posts")
