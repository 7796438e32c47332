"""The checks people expect run where they expect them: `make lint` runs ruff
with the stricter rule set and mypy on services/common and the gateway,
`make test` lints first, and pre-commit runs the same ruff as the venv."""
import configparser
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def make_rule(name: str) -> tuple[list[str], list[str]]:
    """(prerequisites, recipe lines) of a Makefile rule."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{name}:([^\n]*)\n((?:\t[^\n]*\n)*)", text, re.MULTILINE)
    assert match, f"no rule {name} in the Makefile"
    return match.group(1).split(), [line.strip() for line in match.group(2).splitlines()]


def pinned(package: str) -> str:
    text = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    match = re.search(rf"^{package}==(\S+)$", text, re.MULTILINE)
    assert match, f"{package} is not pinned in requirements-dev.txt"
    return match.group(1)


def test_ruff_selects_bugbear_simplify_pyupgrade_and_isort():
    selected = set(tomllib.loads((ROOT / "ruff.toml").read_text(encoding="utf-8"))["lint"]["select"])
    assert {"E", "F", "W", "I", "B", "SIM", "UP"} <= selected


def test_mypy_checks_common_and_the_gateway():
    config = configparser.ConfigParser()
    config.read(ROOT / "mypy.ini")
    files = {f.strip() for f in config["mypy"]["files"].split(",")}
    assert {"services/common", "services/gateway"} <= files
    pinned("mypy")


def test_make_lint_runs_ruff_and_mypy_and_make_test_lints_first():
    _, lint = make_rule("lint")
    assert any(line.endswith("ruff check .") for line in lint)
    assert any(line.endswith("/mypy") for line in lint)
    prerequisites, recipe = make_rule("test")
    assert "lint" in prerequisites
    assert recipe[-1] == "$(MAKE) --no-print-directory -j --output-sync=target $(SERVICE_SUITES) test-gateway"
    assert make_rule("test-services")[1] == ["$(MAKE) --no-print-directory -j --output-sync=target $(SERVICE_SUITES)"]


def test_pre_commit_runs_the_pinned_ruff_and_the_venvs_mypy():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    repos = {repo["repo"]: repo for repo in config["repos"]}
    ruff = repos["https://github.com/astral-sh/ruff-pre-commit"]
    assert ruff["rev"] == f"v{pinned('ruff')}"
    assert [hook["id"] for hook in ruff["hooks"]] == ["ruff-check"]
    [mypy] = repos["local"]["hooks"]
    assert mypy["entry"] == ".venv/bin/mypy" and mypy["language"] == "system"
