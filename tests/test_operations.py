"""The operators' path: the compose file, Prometheus's configuration and
rules (checked by promtool), and a real Prometheus scraping every process."""
import json
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from services.aspirations.settings import AspirationsSettings
from services.broadcast.settings import BroadcastSettings
from services.channels.settings import ChannelsSettings
from services.gateway.settings import GatewaySettings
from services.registry.settings import RegistrySettings
from tests.conftest import free_port, wait_for

INFRA = Path(__file__).resolve().parent.parent / "infra"
NAMEKO_SERVICES = ("registry", "broadcast", "aspirations", "channels")
SETTINGS = {"registry": RegistrySettings, "broadcast": BroadcastSettings, "aspirations": AspirationsSettings,
            "channels": ChannelsSettings, "gateway": GatewaySettings}
HOW_TO_PROMETHEUS = "Prometheus is needed: apt-get install prometheus (`.ci/run` installs it)."


def env_names(settings_cls) -> set[str]:
    return {field.validation_alias or name.upper() for name, field in settings_cls.model_fields.items()}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((INFRA / "docker-compose.yml").read_text())


def test_every_service_has_a_container_with_health_and_dependencies(compose):
    services = compose["services"]
    assert {"rabbitmq", "postgres", "prometheus", "grafana", *SETTINGS} <= set(services)
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no healthcheck"
        assert service.get("restart") == "unless-stopped", f"{name} is not restarted when it exits"
        for dependency in (service.get("depends_on") or {}).values():
            assert dependency["condition"] == "service_healthy", name
    for name in NAMEKO_SERVICES:
        # scalable with --scale: no fixed names, no host ports
        assert "container_name" not in services[name] and "ports" not in services[name]
        assert set(services[name]["depends_on"]) == {"rabbitmq", "postgres"}
    assert services["gateway"]["ports"] == ["${GATEWAY_PORT:-8000}:8000"]
    assert set(compose["volumes"]) >= {"rabbitmq-data", "postgres-data", "prometheus-data", "grafana-data"}


def test_the_development_override_only_publishes_on_localhost():
    override = yaml.safe_load((INFRA / "docker-compose.override.yml").read_text())
    for name, service in override["services"].items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond localhost"
        assert "ports" not in service or name not in NAMEKO_SERVICES


def test_the_environment_matches_what_the_settings_read(compose):
    for name, settings_cls in SETTINGS.items():
        environment = compose["services"][name]["environment"]
        known = env_names(settings_cls)
        unknown = set(environment) - known
        assert not unknown, f"{name} is given variables its settings do not read: {unknown}"
        needed = {"AMQP_URI", f"{name.upper()}_DATABASE_URL"}
        needed |= {f"{name.upper()}_METRICS_PORT"} if name != "gateway" else {"GATEWAY_PORT", "GATEWAY_HOST"}
        assert needed <= set(environment), f"{name} lacks {needed - set(environment)}"


def test_no_secret_is_committed(compose):
    text = (INFRA / "docker-compose.yml").read_text()
    for match in re.finditer(r"^\s*(\w*(PASSWORD|PASS|SECRET|KEY)\w*):\s*(\S+)", text, re.M):
        assert match.group(3).startswith(("${", '"${')), f"a literal secret: {match.group(0)}"
    for line in (INFRA / ".env.example").read_text().splitlines():
        if re.match(r"^\w*(PASSWORD|PASS)=", line):
            assert line.split("=", 1)[1].startswith("change-me"), line


def promtool(*args, cwd=INFRA / "prometheus") -> str:
    if not shutil.which("promtool"):
        pytest.fail(HOW_TO_PROMETHEUS, pytrace=False)
    result = subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_promtool_accepts_the_configuration_and_the_rules():
    promtool("check", "config", "prometheus.yml")
    assert "12 rules found" in promtool("check", "rules", "rules/kim.yml")


def test_every_alert_fires_on_its_synthetic_series():
    promtool("test", "rules", "kim.rules.test.yml", cwd=INFRA / "prometheus" / "tests")
    alerts = {r["alert"] for g in yaml.safe_load((INFRA / "prometheus/rules/kim.yml").read_text())["groups"]
              for r in g["rules"] if "alert" in r}
    tested = set(re.findall(r"alertname: (\w+)", (INFRA / "prometheus/tests/kim.rules.test.yml").read_text()))
    assert alerts == tested


def test_a_real_prometheus_scrapes_every_process(platform, tmp_path):
    if not shutil.which("prometheus"):
        pytest.fail(HOW_TO_PROMETHEUS, pytrace=False)
    env = platform.env
    targets = {"gateway": env["GATEWAY_PORT"], "registry": env["REGISTRY_METRICS_PORT"],
               "broadcast": env["BROADCAST_METRICS_PORT"], "aspirations": env["ASPIRATIONS_METRICS_PORT"],
               "channels": env["CHANNELS_METRICS_PORT"]}
    # the shipped configuration, adapted for localhost: static targets instead of compose DNS
    config = yaml.safe_load((INFRA / "prometheus/prometheus.yml").read_text())
    config["global"]["scrape_interval"] = "1s"
    config["rule_files"] = [str(INFRA / "prometheus/rules/kim.yml")]
    for job in config["scrape_configs"]:
        job.pop("dns_sd_configs")
        job["static_configs"] = [{"targets": [f"127.0.0.1:{targets[job['job_name']]}"]}]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    prometheus = subprocess.Popen(["prometheus", f"--config.file={tmp_path / 'prometheus.yml'}",
                                   f"--storage.tsdb.path={tmp_path / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    api = f"http://127.0.0.1:{port}/api/v1"
    try:
        with platform.client() as anyone:  # some traffic, and an event
            for _ in range(5):
                anyone.get("/api/v1/regions/14.71")
                anyone.get("/readyz")
        with platform.admin as admin:
            run = uuid.uuid4().hex[:6]
            assert admin.post("/api/v1/kims", json={
                "name": f"KIM Prometheus {run}", "village_code": "14.71.01.1002", "classification": "tumbuh",
                "sk": {"number": f"PROM/{run}", "date": "2024-01-01", "issuer": "Lurah"}}).status_code == 201

        def all_up():
            try:
                active = httpx.get(f"{api}/targets", timeout=5).json()["data"]["activeTargets"]
            except httpx.HTTPError:
                return False
            return len(active) == len(targets) and all(t["health"] == "up" for t in active) and active
        up = wait_for(all_up, timeout=60, message="every target up in Prometheus")
        assert {t["labels"]["job"] for t in up} == set(targets)
        # each family is waited for until a scrape brought it
        for family in ("kim_http_requests_total", "kim_rpc_requests_total", "kim_rpc_duration_seconds_bucket",
                       "kim_outbox_backlog", "kim_events_published_total", "kim_dead_letters"):
            # B023: wait_for calls the lambda within this iteration, so the loop variable is the one meant
            result = wait_for(lambda: httpx.get(f"{api}/query", params={"query": family}).json()["data"]["result"],  # noqa: B023
                              timeout=30, message=f"{family} in Prometheus")
            assert result, family
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=30)


def test_the_grafana_dashboard_queries_metrics_the_services_expose(platform):
    dashboard = json.loads((INFRA / "grafana/dashboards/kim.json").read_text())
    queried = {name for panel in dashboard["panels"] for target in panel["targets"]
               for name in re.findall(r"\b(kim_[a-z_]+)", target["expr"])}
    with platform.admin as admin:  # traffic that makes every kind of metric appear
        admin.get("/api/v1/regions/14.71")
    env = platform.env
    exposed = set()
    for port in (env["GATEWAY_PORT"], env["REGISTRY_METRICS_PORT"], env["BROADCAST_METRICS_PORT"],
                 env["ASPIRATIONS_METRICS_PORT"], env["CHANNELS_METRICS_PORT"]):
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        # families are declared (# HELP) even before their first sample
        exposed |= set(re.findall(r"^# HELP (kim_[a-z_]+)", text, re.M))
        exposed |= {f"{name}_bucket" for name in re.findall(r"^# TYPE (kim_[a-z_]+) histogram", text, re.M)}
    assert queried and queried <= exposed, f"queried but never exposed: {queried - exposed}"
    assert {p["datasource"]["uid"] for p in dashboard["panels"]} == {"prometheus"}
    provisioned = yaml.safe_load((INFRA / "grafana/provisioning/datasources/prometheus.yml").read_text())
    assert provisioned["datasources"][0]["uid"] == "prometheus"
