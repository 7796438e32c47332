"""The project's documentation stays true to its code: the committed OpenAPI
document is the one the gateway generates, every setting any process reads is
documented, the event catalogue names every event recorded and every handler
consuming one, and every file the docs name or link to exists."""
import re
from pathlib import Path

from services.common.contracts import CONTRACTS
from services.gateway.export_openapi import DEFAULT_PATH, openapi_text

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
DOCUMENTS = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
SOURCE = [p for p in (ROOT / "services").rglob("*.py") if "tests" not in p.parts]

SETTING = re.compile(r'validation_alias="([A-Z0-9_]+)"')
# the launcher (make run) reads a few of the project's variables itself (and PYTHONPATH, not ours)
LAUNCHER_SETTING = re.compile(r'\benv(?:iron)?\.get\("((?:KIM|GATEWAY|AMQP)_[A-Z0-9_]+)"')
RECORDED = re.compile(r'record_events?\(\s*\w+,\s*"(\w+)"')
HANDLER = re.compile(r'@(?:batch_)?event_handler\("(\w+)",\s*"(\w+)"\)\s*\n\s*def (\w+)')
SERVICE_NAME = re.compile(r'^\s+name = "(\w+)"', re.MULTILINE)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FILE_NAMED = re.compile(r"`(\w[\w./-]*\.(?:py|md|yml|yaml|json|sh|toml|txt|ini|cfg))`")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def documented_text() -> str:
    return read(ROOT / "README.md") + read(DOCS / "operations.md")


def test_the_committed_openapi_document_is_what_the_gateway_generates():
    # after changing a route: python -m services.gateway.export_openapi
    assert read(DEFAULT_PATH) == openapi_text(), "docs/openapi.json is stale: run python -m services.gateway.export_openapi"


def test_every_setting_read_by_any_process_is_documented():
    settings = {name for path in (ROOT / "services").glob("*/settings.py") for name in SETTING.findall(read(path))}
    settings |= set(LAUNCHER_SETTING.findall(read(ROOT / "infra" / "run_local.py")))
    assert {"KIM_WEBHOOK_CHECK_SECONDS", "KIM_READY_TIMEOUT", "GATEWAY_RPC_TIMEOUT"} <= settings  # the scan works
    text = documented_text()
    missing = sorted(name for name in settings if f"`{name}`" not in text)
    assert not missing, f"settings documented neither in README.md nor in docs/operations.md: {missing}"


def recorded_events() -> dict[str, set[str]]:
    """event type -> the modules that record it."""
    events: dict[str, set[str]] = {}
    for path in SOURCE:
        for event_type in RECORDED.findall(read(path)):
            events.setdefault(event_type, set()).add(str(path.relative_to(ROOT)))
    return events


def event_handlers() -> set[tuple[str, str, str, str]]:
    """(source service, event type, consuming service, handler method)."""
    handlers = set()
    for path in SOURCE:
        text = read(path)
        for source, event_type, method in HANDLER.findall(text):
            service = SERVICE_NAME.search(text).group(1)
            handlers.add((source, event_type, service, method))
    return handlers


def catalogue_sections() -> dict[str, str]:
    """event type -> its section of docs/events.md (a `### \\`type\\`` heading each)."""
    parts = re.split(r"^### `(\w+)`\s*$", read(DOCS / "events.md"), flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_the_event_catalogue_names_every_recorded_event_and_nothing_else():
    recorded = recorded_events()
    assert {"kim_registered", "aspiration_responded", "delivery_relayed"} <= set(recorded)  # the scan works
    sections = catalogue_sections()
    assert sorted(set(recorded) - set(sections)) == [], "recorded in the code but not in docs/events.md"
    assert sorted(set(sections) - set(recorded)) == [], "in docs/events.md but recorded nowhere"
    for event_type, modules in recorded.items():
        for module in modules:
            assert f"`{module}`" in sections[event_type], (event_type, module)


def test_the_event_catalogue_names_every_consumer_under_its_event():
    handlers = event_handlers()
    assert ("registry", "kim_registered", "broadcast", "on_kim_registered") in handlers  # the scan works
    sections = catalogue_sections()
    recorded = recorded_events()
    for source, event_type, service, method in handlers:
        assert event_type in recorded, f"{service}.{method} consumes {event_type}, which nobody records"
        assert f"`{service}.{method}`" in sections[event_type], (event_type, service, method)
        assert f"`evt-{source}-{event_type}--{service}.{method}`" in sections[event_type], (event_type, method)
    documented = {(event_type, consumer) for event_type, section in sections.items()
                  for consumer in re.findall(r"`(\w+\.on_\w+)`", section)}
    assert documented == {(event_type, f"{service}.{method}") for _, event_type, service, method in handlers}


def test_every_recorded_event_has_its_contract_and_the_catalogue_lists_its_fields():
    """services/common/contracts.py holds one payload per event type; its
    section names the contract and every field it carries."""
    recorded = recorded_events()
    assert sorted(set(recorded) ^ set(CONTRACTS)) == [], "events recorded without a contract, or contracts unused"
    as_dicts = [str(p.relative_to(ROOT)) for p in SOURCE if re.search(r'record_events?\(\s*\w+,\s*"\w+",\s*\{', read(p))]
    assert as_dicts == [], "events recorded as dict literals instead of their contracts' builders"
    sections = catalogue_sections()
    for event_type, contract in CONTRACTS.items():
        section = sections[event_type]
        assert f"`{contract.__name__}`" in section, (event_type, contract.__name__)
        missing = [field for field in contract.model_fields if f"`{field}`" not in section]
        assert not missing, (event_type, missing)


def test_every_relative_link_in_the_docs_points_to_an_existing_file():
    for document in DOCUMENTS:
        for target in LINK.findall(read(document)):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            path = (document.parent / target.split("#")[0]).resolve()
            assert path.exists(), f"{document.relative_to(ROOT)} links to {target}, which does not exist"


def test_every_file_the_docs_name_exists():
    # a path is looked up from the project's root, a bare module name (`scope.py`) anywhere in it;
    # other bare names are URLs' last parts as often as files (Open311's `services.json`)
    modules = {p.name for p in ROOT.rglob("*.py") if ".venv" not in p.parts}
    for document in DOCUMENTS:
        for named in FILE_NAMED.findall(read(document)):
            if "/" not in named and not named.endswith(".py"):
                continue
            exists = named in modules if "/" not in named else (ROOT / named).exists()
            assert exists, f"{document.relative_to(ROOT)} names {named}, which does not exist"
