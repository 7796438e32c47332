"""Alembic migrations per service, applied on start.

Each service keeps `migrations/env.py` (two lines calling `run_env`) and
`migrations/versions/`. `upgrade` runs them under a PostgreSQL advisory lock
so that several instances starting together migrate once.
"""
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import func, select

from services.common.db import is_postgresql, make_engine

MIGRATION_LOCK_KEY = 0x6B696D_0A0A


def upgrade(db_url: str, migrations_dir: Path, revision: str = "head"):
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    engine = make_engine(db_url, pool_size=1)
    try:
        with engine.begin() as conn:
            if is_postgresql(engine):
                conn.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def run_env():
    """Body of every service's migrations/env.py."""
    from alembic import context

    connection = context.config.attributes["connection"]
    context.configure(connection=connection, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def create_plumbing_tables(op):
    """The outbox and processed_events tables, as of their first version.
    Called from each service's first migration; later changes get their own."""
    import sqlalchemy as sa

    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "outbox",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("envelope", sa.Text, nullable=False),
        sa.Column("correlation_id", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_outbox_unsent", "outbox", ["sent_at", "id"])
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("producer", sa.String(50), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )


def drop_plumbing_tables(op):
    op.drop_table("processed_events")
    op.drop_index("ix_outbox_unsent", table_name="outbox")
    op.drop_table("outbox")
