from pathlib import Path

from services.common.settings import SETTINGS_KEY, ServiceSettings
from services.registry.settings import RegistrySettings


def test_defaults_are_the_embedded_ones(monkeypatch):
    for name in ("AMQP_URI", "KIM_DATA_DIR", "REGISTRY_DATABASE_URL", "REGISTRY_METRICS_PORT", "KIM_RETRY_DELAYS"):
        monkeypatch.delenv(name, raising=False)
    settings = RegistrySettings()
    assert settings.amqp_uri == "amqp://guest:guest@localhost:5672/"
    assert settings.db_url == f"sqlite:///{(Path('./var') / 'registry.db').resolve()}"
    assert settings.metrics_port == 9101
    assert settings.retry_delay_seconds == [1.0, 5.0, 30.0]


def test_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("KIM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AMQP_URI", "amqp://u:p@broker:5672/kim")
    monkeypatch.setenv("KIM_RETRY_DELAYS", "0.5, 2")
    settings = RegistrySettings()
    assert settings.db_url == f"sqlite:///{tmp_path.resolve() / 'registry.db'}"
    assert settings.retry_delay_seconds == [0.5, 2.0]
    monkeypatch.setenv("REGISTRY_DATABASE_URL", "postgresql://kim@db/registry")
    monkeypatch.setenv("REGISTRY_METRICS_PORT", "9301")
    settings = RegistrySettings()
    assert settings.db_url == "postgresql://kim@db/registry"
    assert settings.metrics_port == 9301
    config = settings.nameko_config()
    assert config["AMQP_URI"] == "amqp://u:p@broker:5672/kim"
    assert config[SETTINGS_KEY] is settings


def test_another_service_variable_does_not_leak(monkeypatch):
    monkeypatch.setenv("BROADCAST_DATABASE_URL", "postgresql://kim@db/broadcast")
    monkeypatch.delenv("REGISTRY_DATABASE_URL", raising=False)
    assert RegistrySettings().db_url.startswith("sqlite:///")
    assert ServiceSettings(database_url="sqlite:///x.db").db_url == "sqlite:///x.db"
