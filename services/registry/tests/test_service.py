"""The registry's region RPCs on a real broker and both databases."""
import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ServiceRpcProxy

from services.registry.service import RegistryService
from services.registry.settings import RegistrySettings


@pytest.fixture
def registry(registry_url, amqp_uri, container_factory):
    settings = RegistrySettings(database_url=registry_url, amqp_uri=amqp_uri)
    container = container_factory(RegistryService, settings.nameko_config())
    container.start()
    with ServiceRpcProxy("registry", {"AMQP_URI": amqp_uri}) as proxy:
        yield proxy


def test_region_with_ancestors_and_children(registry):
    village = registry.get_region(code="14.71.01.1002")
    assert [a["code"] for a in village["ancestors"]] == ["14", "14.71", "14.71.01"]
    assert village["level"] == "village" and village["children"] == []
    pekanbaru = registry.get_region(code="14.71")
    assert pekanbaru["name"] == "Kota Pekanbaru"
    assert [a["name"] for a in pekanbaru["ancestors"]] == ["Riau"]
    assert pekanbaru["children"] and all(c["parent_code"] == "14.71" for c in pekanbaru["children"])


def test_children_pages_and_search(registry):
    provinces = registry.list_regions(limit=100)
    assert provinces["total"] == 38 and len(provinces["items"]) == 38
    riau = registry.list_regions(parent="14", limit=5, offset=5)
    assert riau["total"] == 12 and [r["code"] for r in riau["items"]] == ["14.06", "14.07", "14.08", "14.09", "14.10"]
    found = registry.search_regions(q="PEKANBARU", level="regency")
    assert [r["code"] for r in found["items"]] == ["14.71"]
    percent = registry.search_regions(q="%%")
    assert percent["total"] == 0  # wildcards are literal
    # 2 to 100 characters as sent, as the API's schema says; blank around them is not searched for
    assert [r["code"] for r in registry.search_regions(q=" pekanbaru\u3000", level="regency")["items"]] == ["14.71"]
    assert registry.search_regions(q="\u00c9\x1c")["total"] == 0  # schema-valid: an answer, not a 422
    assert registry.search_regions(q="  ")["total"] == 0


@pytest.mark.parametrize("call, kwargs, error", [
    ("get_region", {"code": "99.99"}, "NotFound"),
    ("get_region", {"code": "14.7"}, "InvalidInput"),
    ("list_regions", {"parent": "14.99"}, "NotFound"),
    ("list_regions", {"parent": "14", "limit": 0}, "InvalidInput"),
    ("search_regions", {"q": "a"}, "InvalidInput"),
    ("search_regions", {"q": "riau", "level": "planet"}, "InvalidInput"),
])
def test_bad_requests_are_domain_errors(registry, call, kwargs, error):
    with pytest.raises(RemoteError) as raised:
        getattr(registry, call)(**kwargs)
    assert raised.value.exc_type == error
