"""broadcasts, deliveries, relays, webhooks

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("target", sa.JSON, nullable=False),
        sa.Column("publish_at", sa.DateTime(timezone=True)),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("issuer_region", sa.String(13)),
        sa.Column("issuer", sa.String(100), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("fanout_cursor", sa.String(32)),
        sa.Column("recipients", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("fanout_done_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_broadcasts_status", "broadcasts", ["status"])
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "deliveries",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("broadcast_id", sa.String(36), sa.ForeignKey("broadcasts.id")),
        sa.Column("kim_id", sa.String(32), nullable=False),
        sa.Column("village_code", sa.String(13), nullable=False),
        sa.Column("message", sa.JSON),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True)),
        sa.Column("relayed_at", sa.DateTime(timezone=True)),
        sa.Column("reached", sa.Integer, nullable=False, server_default="0"),
        sa.Column("push_state", sa.String(10), nullable=False),
        sa.Column("push_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_push_at", sa.DateTime(timezone=True)),
        sa.Column("push_error", sa.String(300)),
    )
    # one delivery of a broadcast per group, whatever happens during fan-out
    op.create_index("uq_deliveries_broadcast_kim", "deliveries", ["broadcast_id", "kim_id"], unique=True)
    op.create_index("ix_deliveries_kim_id", "deliveries", ["kim_id", "id"])
    op.create_index("ix_deliveries_push", "deliveries", ["push_state", "next_push_at"])
    op.create_table(
        "relays",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", big_id, sa.ForeignKey("deliveries.id"), nullable=False),
        sa.Column("reached", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_relays_delivery_id", "relays", ["delivery_id"])
    op.create_table(
        "webhooks",
        sa.Column("kim_id", sa.String(32), primary_key=True),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    for table in ("webhooks", "relays", "deliveries", "broadcasts"):
        op.drop_table(table)
