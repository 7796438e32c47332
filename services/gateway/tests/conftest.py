import pytest
from fastapi.testclient import TestClient

from services.common.testing import databases  # noqa: F401
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings

ADMIN_KEY = "kim_admin_for_gateway_tests_0123456789"


@pytest.fixture
def client(tmp_path):
    """A gateway whose broker is unreachable: everything that needs no
    service works, everything that does answers 503."""
    settings = GatewaySettings(data_dir=tmp_path, admin_key=ADMIN_KEY, rpc_timeout=2.0,
                               amqp_uri="amqp://guest:guest@127.0.0.1:1/", max_body_bytes=4096)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def admin():
    return {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture
def client_on_empty_broker(tmp_path):
    """A gateway on a real broker where no service has ever run."""
    from services.common.testing import amqp_uri_for, create_vhost, delete_vhost
    vhost = create_vhost("kim-gateway")
    settings = GatewaySettings(data_dir=tmp_path, admin_key=ADMIN_KEY, rpc_timeout=30.0,
                               amqp_uri=amqp_uri_for(vhost))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client
    delete_vhost(vhost)
