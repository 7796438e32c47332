"""channels, contents, deliveries, messages, provider ids, aspiration forwards

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "channels",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kim_id", sa.String(32), nullable=False, index=True),
        sa.Column("village_code", sa.String(13), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("address", sa.String(320), index=True),
        sa.Column("state", sa.String(10), nullable=False, index=True),
        sa.Column("link_code_hash", sa.String(64), unique=True),
        sa.Column("link_expires_at", WHEN),
        sa.Column("unsubscribe_token", sa.String(64), unique=True),
        sa.Column("paused_reason", sa.String(300)),
        sa.Column("last_error", sa.String(300)),
        sa.Column("last_error_at", WHEN),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_inbound_at", WHEN),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("linked_at", WHEN),
        sa.Column("updated_at", WHEN, nullable=False),
    )
    op.create_table(
        "contents",
        sa.Column("key", sa.String(48), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("tracking_code", sa.String(16)),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "deliveries",
        sa.Column("delivery_id", ID, primary_key=True, autoincrement=False),
        sa.Column("kim_id", sa.String(32), nullable=False, index=True),
        sa.Column("village_code", sa.String(13), nullable=False),
        sa.Column("broadcast_id", sa.String(36), index=True),
        sa.Column("content_key", sa.String(48), sa.ForeignKey("contents.key"), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("acknowledged_on", sa.String(10)),
        sa.Column("reached", sa.Integer, nullable=False),
    )
    op.create_table(
        "messages",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("channel_id", sa.String(32), sa.ForeignKey("channels.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("delivery_id", ID, index=True),
        sa.Column("content_key", sa.String(48)),
        sa.Column("text", sa.Text),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", WHEN),
        sa.Column("parts", sa.Integer, nullable=False),
        sa.Column("error", sa.String(300)),
        sa.Column("acknowledged_at", WHEN),
        sa.Column("reached", sa.Integer, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("sent_at", WHEN),
        sa.Column("status_at", WHEN),
        sa.UniqueConstraint("delivery_id", "channel_id"),
    )
    op.create_index("ix_messages_due", "messages", ["status", "next_attempt_at"])
    op.create_table(
        "provider_messages",
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("provider_id", sa.String(200), primary_key=True),
        sa.Column("message_id", ID, sa.ForeignKey("messages.id"), nullable=False, index=True),
    )
    op.create_table(
        "aspiration_forwards",
        sa.Column("tracking_code", sa.String(16), primary_key=True),
        sa.Column("channel_id", sa.String(32), sa.ForeignKey("channels.id"), nullable=False),
        sa.Column("submission", sa.JSON, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("sent_at", WHEN, index=True),
    )


def downgrade():
    for table in ("aspiration_forwards", "provider_messages", "messages", "deliveries", "contents", "channels"):
        op.drop_table(table)
