import time

import eventlet
from sqlalchemy import create_engine, func, select, table


def wait_for(condition, timeout=30.0, interval=0.05, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        eventlet.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


def count(url: str, table_name: str, where=None) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            query = select(func.count()).select_from(table(table_name))
            return conn.execute(query).scalar_one()
    finally:
        engine.dispose()
