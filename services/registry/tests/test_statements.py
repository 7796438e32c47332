"""What a registration costs the database: the statements one takes, counted
on each backend (each one a round trip on PostgreSQL, and all of them inside
the one transaction every other registration waits for)."""
from contextlib import contextmanager

from sqlalchemy import event

from services.registry import kims
from services.registry.tests.test_kims_rules import ADMIN, ZONE, group_data

# reads: village and its ancestors, tags, duplicates, numbers taken in the village (and on
# PostgreSQL the village's advisory lock); writes: the group, its tags, its status, the
# coverage counters (the village row locked, then its ancestors' in code order, then one statement
# for all of them: the import's batches of thousands of groups take the same path), the outbox,
# and the consent record of the group's contact (issue 16)
MOST_STATEMENTS = {"sqlite": 12, "postgresql": 13}


@contextmanager
def counted(session):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.split()[0].upper())

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_registration_takes_a_fixed_handful_of_statements(rolled_back_session):
    session = rolled_back_session
    with session.begin():  # the first one in a village, and one more there: the same cost
        kims.register_kim(session, ADMIN, group_data("KIM Hitung Satu", "14.71.01.1002", "SK/HITUNG/00000001",
                                                     tags=["pemuda", "umkm"]), timezone=ZONE)
    with counted(session) as statements, session.begin():
        kims.register_kim(session, ADMIN, group_data("KIM Hitung Dua", "14.71.01.1002", "SK/HITUNG/00000002",
                                                     tags=["pemuda", "umkm"]), timezone=ZONE)
    statements = [s for s in statements if s not in ("SAVEPOINT", "RELEASE", "BEGIN")]
    assert len(statements) <= MOST_STATEMENTS[session.get_bind().dialect.name], statements
