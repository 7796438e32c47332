"""The gateway's own layers without a broker: the region lookups every route
shares (one cache per application, one 422 for unknown codes), the caller's
scope (the services' rule, services/common/scope.py) and the request's RPC."""
from dataclasses import asdict
from types import SimpleNamespace

import pytest

from services.common.scope import Actor
from services.gateway.deps import Rpc, actor
from services.gateway.keys import Principal
from services.gateway.problems import Problem
from services.gateway.routes.common import RegionCache, Regions
from services.gateway.tests.asyncio_thread import run

KNOWN = {"14": {"code": "14"}, "14.71": {"code": "14.71"}, "14.71.01.1002": {"code": "14.71.01.1002"}}


class Registry:
    """Answers get_region like the registry does, and counts the questions."""

    def __init__(self, down: bool = False):
        self.asked: list[str] = []
        self.down = down

    async def __call__(self, service, method, code):
        assert (service, method) == ("registry", "get_region")
        self.asked.append(code)
        if self.down:
            raise Problem(503, "Layanan registry tidak tersedia.", "The registry service is unavailable.")
        if code not in KNOWN:
            raise Problem(404, f"Wilayah dengan kode {code} tidak ditemukan.", f"No region {code}.")
        return KNOWN[code]


def test_each_region_is_asked_for_once_per_cache():
    registry, cache = Registry(), RegionCache()
    assert run(Regions(cache, registry).detail("14.71")) == {"code": "14.71"}
    assert run(Regions(cache, registry).detail("14.71")) == {"code": "14.71"}  # another request, same app
    assert registry.asked == ["14.71"]
    run(Regions(RegionCache(), registry).detail("14.71"))  # another app has a cache of its own
    assert registry.asked == ["14.71", "14.71"]


def test_the_region_cache_is_bounded():
    cache = RegionCache(limit=2)
    for code in ("14", "14.71", "14.71.01"):
        cache.put(code, {"code": code})
    assert cache.get("14.71.01") == {"code": "14.71.01"} and cache.get("14") is None


def test_an_unknown_region_is_not_cached_and_a_registry_that_is_down_is_not_unknown():
    registry = Registry()
    regions = Regions(RegionCache(), registry)
    assert run(regions.exists("99.99")) is False
    assert run(regions.exists("99.99")) is False
    assert registry.asked == ["99.99", "99.99"]
    with pytest.raises(Problem) as raised:
        run(Regions(RegionCache(), Registry(down=True)).exists("14"))
    assert raised.value.status == 503


def test_unknown_codes_are_one_422_on_the_field_naming_each_once_in_order():
    regions = Regions(RegionCache(), Registry())
    run(regions.require(["14", "14.71"], "target.regions", "Wilayah tidak ada: {codes}.", "No such regions: {codes}.",
                        "unknown: {codes}"))  # all known: nothing raised
    with pytest.raises(Problem) as raised:
        run(regions.require(["99.99", "14", "98", "99.99"], "target.regions", "Wilayah tidak ada: {codes}.",
                            "No such regions: {codes}.", "unknown: {codes}"))
    problem = raised.value
    assert problem.status == 422
    assert (problem.detail, problem.detail_en) == ("Wilayah tidak ada: 98, 99.99.", "No such regions: 98, 99.99.")
    assert problem.errors == [{"field": "target.regions", "in": "body", "message": "unknown: 98, 99.99"}]


@pytest.mark.parametrize(("role", "scope", "region", "covered"), [
    ("admin", None, "", True),  # the whole country: a national admin only
    ("admin", None, "14.71", True),
    ("admin", "14", "", False),
    ("admin", "14", "14", True),
    ("admin", "14", "14.71.01", True),
    ("admin", "14", "15.01", False),
    ("admin", "14", "140", False),  # a code that starts alike is not below
    ("operator", "14.71", "14.71.01.1002", True),
    ("operator", "14.71", "14.72", False),
    ("kim", "14.71.01.1002", "14.71.01.1002", False),  # a group covers itself, not a region
])
def test_a_callers_scope_is_the_services_rule(role, scope, region, covered):
    principal = Principal("key-1", "nama", role, scope, "KIM-1471011002-01" if role == "kim" else None)
    assert principal.covers(region) is covered
    assert principal.covers(region) is Actor(role, scope, principal.kim_id, "key-1").covers(region)


def test_the_caller_travels_as_the_services_read_it():
    principal = Principal("key-1", "Operator Pekanbaru", "operator", "14.71", None)
    wire = actor(principal)
    assert wire == {"role": "operator", "scope_region": "14.71", "kim_id": None, "key_id": "key-1"}
    assert Actor.from_wire(wire) == principal.actor
    assert actor(None) is None and asdict(Actor.from_wire(None))["role"] == "public"


def test_a_command_carries_the_requests_correlation_id():
    sent = []

    class Client:
        async def send_command(self, queue, body, correlation_id=None):
            sent.append((queue, body, correlation_id))
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(rpc=Client())),
                              state=SimpleNamespace(correlation_id="abc-123"))
    run(Rpc(request).send_command("aspirations.intake", {"id": "1"}))
    assert sent == [("aspirations.intake", {"id": "1"}, "abc-123")]
