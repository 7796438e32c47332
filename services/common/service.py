"""What every nameko service of the platform has: its database (with the
outbox relay), instrumentation and a health RPC."""
from services.common.dependencies import Database, Instrumentation, Settings
from services.common.entrypoints import rpc


class ServiceBase:
    name = ""

    db = Database()
    settings = Settings()
    instrumentation = Instrumentation()

    @rpc
    def health(self):
        # a session query proves the database answers inside a worker
        from sqlalchemy import text
        self.db.execute(text("SELECT 1"))
        return {"service": self.name, "status": "ok"}
