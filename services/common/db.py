"""Database engines and the plumbing tables every service database has.

SQLite is the embedded default (one file per service); PostgreSQL when the
service's `<SERVICE>_DATABASE_URL` is set. Under eventlet, psycopg2 is made
green explicitly so that a slow query never stalls the hub.
"""
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    create_engine,
    event,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session


def _eventlet_patched() -> bool:
    # a process that never imported eventlet (the gateway) is not patched, and stays without it
    if "eventlet" not in sys.modules:
        return False
    from eventlet import patcher
    return patcher.is_monkey_patched("socket")


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # One connection per process: SQLite allows one writer, and under
        # eventlet a second green thread waiting on SQLite's busy lock would
        # block the hub while the holder can never run. Waiting for the pool
        # is green; waiting for the file lock is not.
        engine = create_engine(
            url, pool_size=1, max_overflow=0, pool_timeout=60,
            connect_args={"check_same_thread": False, "timeout": 30},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # the sqlite3 module's own transaction handling is turned off so
            # that SQLAlchemy's BEGIN is the one that counts
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine

    if (parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("psycopg2", "")
            and _eventlet_patched()):
        # eventlet.monkey_patch() normally does this; doing it here makes
        # it independent of import order (tested in test_green_driver).
        from eventlet.support import psycopg2_patcher
        psycopg2_patcher.make_psycopg_green()
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def is_postgresql(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "postgresql"


def service_session(engine: Engine, service: str, *, correlation_id: str | None = None, **options) -> Session:
    """A session that knows whose it is: `record_event` names the producer from it."""
    session = Session(engine, **options)
    session.info["service"] = service
    session.info["correlation_id"] = correlation_id
    return session


@contextmanager
def unit_of_work(engine: Engine, service: str, *, correlation_id: str | None = None) -> Iterator[Session]:
    """One transaction of `service`'s, outside a worker (scripts, timers' tests, domain tests):
    committed when the block ends, rolled back if it raises."""
    with service_session(engine, service, correlation_id=correlation_id) as session, session.begin():
        yield session


def _json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def insert_rows(session: Session, table: Table, rows: list[dict], *, skip_existing: bool = False):
    """Many rows (dicts with the same keys) into `table` at once. PostgreSQL
    reads them all from one JSON parameter (json_populate_recordset, typed by
    the table itself): one round trip, and no statement of thousands of
    parameters to build and parse; SQLite, in process, by executemany.
    `skip_existing`: a row whose key is taken already is left out."""
    if not rows:
        return
    if not is_postgresql(session.get_bind()):
        statement = sqlite_insert(table)
        session.execute(statement.on_conflict_do_nothing() if skip_existing else statement, rows)
        return
    columns = ", ".join(f'"{column}"' for column in rows[0])
    session.execute(text(
        f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} '
        f'FROM json_populate_recordset(NULL::"{table.name}", CAST(:rows AS json))'
        + (" ON CONFLICT DO NOTHING" if skip_existing else "")),
        {"rows": json.dumps(rows, separators=(",", ":"), default=_json_value)})


def add_to_rows(session: Session, table: Table, key: str, rows: list[dict]):
    """Add amounts to counters of many rows at once: `rows` are {key: the row's
    key, column: amount, ...}, each with the same columns. PostgreSQL: one
    UPDATE from one JSON parameter; SQLite: executemany."""
    if not rows:
        return
    columns = [column for column in rows[0] if column != key]
    if not is_postgresql(session.get_bind()):
        session.execute(
            update(table).where(table.c[key] == bindparam("row_key"))
            .values({column: table.c[column] + bindparam(f"add_{column}") for column in columns}),
            [{"row_key": row[key], **{f"add_{column}": row[column] for column in columns}} for row in rows])
        return
    shape = ", ".join([f'"{key}" text', *(f'"{column}" bigint' for column in columns)])
    session.execute(text(
        f'UPDATE "{table.name}" SET ' + ", ".join(f'"{c}" = "{table.name}"."{c}" + d."{c}"' for c in columns)
        + f' FROM json_to_recordset(CAST(:rows AS json)) AS d({shape}) WHERE "{table.name}"."{key}" = d."{key}"'),
        {"rows": json.dumps(rows, separators=(",", ":"))})


def dialect_insert(session: Session):
    """The session's dialect's `insert`, the one with `on_conflict_do_nothing`."""
    return postgresql_insert if is_postgresql(session.get_bind()) else sqlite_insert


# --- plumbing tables, present in every service database -------------------

plumbing_metadata = MetaData()

# Big integers on PostgreSQL, INTEGER PRIMARY KEY (rowid) on SQLite.
_BigId = BigInteger().with_variant(Integer(), "sqlite")

outbox = Table(
    "outbox", plumbing_metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("event_type", String(100), nullable=False),
    Column("envelope", Text, nullable=False),
    Column("correlation_id", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Index("ix_outbox_unsent", "sent_at", "id"),
)

processed_events = Table(
    "processed_events", plumbing_metadata,
    Column("event_id", String(36), primary_key=True),
    Column("event_type", String(100), nullable=False),
    Column("producer", String(50), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False),
)
