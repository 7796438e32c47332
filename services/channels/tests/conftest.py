import eventlet

eventlet.monkey_patch()

from services.common.testing import amqp_uri, databases  # noqa: E402,F401
