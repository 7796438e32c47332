"""The project's documentation stays true to its code: the committed OpenAPI
document is the one the gateway generates."""
from pathlib import Path

from services.gateway.export_openapi import DEFAULT_PATH, openapi_text


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_the_committed_openapi_document_is_what_the_gateway_generates():
    # after changing a route: python -m services.gateway.export_openapi
    assert read(DEFAULT_PATH) == openapi_text(), "docs/openapi.json is stale: run python -m services.gateway.export_openapi"
