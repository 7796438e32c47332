"""python -m services.registry.snapshot: re-emit the whole KIM directory as
`kim_snapshot` events, for a replica to rebuild from scratch.

Writes the events to the registry's outbox; the running registry's relay
publishes them (or the next one to start does). Same as the `emit_snapshot` RPC.
"""
import json

from services.common.db import make_engine, unit_of_work
from services.registry.kims import emit_snapshot
from services.registry.settings import RegistrySettings


def main():
    settings = RegistrySettings()
    engine = make_engine(settings.db_url, pool_size=1)
    try:
        with unit_of_work(engine, settings.service_name) as session:
            result = emit_snapshot(session)
    finally:
        engine.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
