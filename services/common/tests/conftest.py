import eventlet

eventlet.monkey_patch()

from services.common.testing import amqp_uri, databases, postgres_url  # noqa: E402,F401
