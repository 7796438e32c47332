"""The gateway's read model of public answers on the real platform: a group's
public profile and a region's public coverage carry an ETag and answer 304 to
If-None-Match, and after a change the next reads are the new answer and never
go back, whether the change went through this gateway (its write drops the
entries) or around it (the registry's event drops them). In Kalimantan Selatan
(63.01.01), which no other test touches."""
import asyncio
import uuid

from services.gateway.rpc import RpcClient
from tests.conftest import wait_for

V1, V2 = "63.01.01.2001", "63.01.01.2002"
DISTRICT = "63.01.01"
ADMIN = {"role": "admin", "scope_region": None, "kim_id": None, "key_id": "test-public-cache"}
REPEATS = 20


def registry(platform, method: str, **kwargs):
    """A registry call around the gateway: only its event tells the gateway."""
    async def call():
        client = RpcClient(platform.env["AMQP_URI"], 10)
        try:
            return await client.call("registry", method, **kwargs)
        finally:
            await client.close()
    return asyncio.run(call())


def new_kim(run: str, name: str, village: str) -> dict:
    return {"name": f"KIM Tembolok {name} {run}", "village_code": village, "classification": "maju",
            "sk": {"number": f"ETAG/{run}/{name}", "date": "2023-01-01", "issuer": "Kepala Desa"}}


def settles(anyone, path: str, shows, message: str):
    """Wait for the change to show, then every following read shows it too."""
    first = wait_for(lambda: (r := anyone.get(path)).status_code == 200 and shows(r.json()) and r,
                     message=message)
    for _ in range(REPEATS):
        again = anyone.get(path)
        assert again.status_code == 200 and shows(again.json()), (message, again.text)
        assert again.headers["etag"] == first.headers["etag"]
    return first


def revalidates(anyone, path: str, current, *stale: str):
    """The current tag is 304 without a body; an older one the whole new answer."""
    etag = current.headers["etag"]
    not_modified = anyone.get(path, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    assert not_modified.headers["cache-control"] == "public, max-age=60, must-revalidate"
    for old in stale:
        assert old != etag
        fresh = anyone.get(path, headers={"If-None-Match": old})
        assert fresh.status_code == 200 and fresh.json() == current.json()


def test_public_answers_follow_every_change_and_revalidate(platform):
    run = uuid.uuid4().hex[:6]
    kim_path = None
    with platform.admin as admin, platform.client() as anyone:
        kim = admin.post("/api/v1/kims", json=new_kim(run, "A", V1))
        assert kim.status_code == 201, kim.text
        kim_path = f"/api/v1/public/kims/{kim.json()['id']}"
        coverage_path = f"/api/v1/public/coverage/{DISTRICT}"

        first = anyone.get(kim_path)
        assert first.status_code == 200 and first.json()["name"].startswith("KIM Tembolok A")
        assert first.headers["cache-control"] == "public, max-age=60, must-revalidate"
        assert first.headers["etag"].startswith('"')
        revalidates(anyone, kim_path, first)
        counted = anyone.get(coverage_path)
        assert counted.json()["kim_active"] >= 1
        revalidates(anyone, coverage_path, counted)

        # through the gateway: a PATCH shows at once
        renamed = admin.patch(kim_path.replace("/public", ""), json={"name": f"KIM Tembolok B {run}"})
        assert renamed.status_code == 200, renamed.text
        after = settles(anyone, kim_path, lambda k: k["name"] == f"KIM Tembolok B {run}", "the new name")
        revalidates(anyone, kim_path, after, first.headers["etag"])

        # a status change: the group and the coverage of its district
        vakum = admin.post(kim_path.replace("/public", "") + "/status", json={"status": "vakum", "reason": "uji"})
        assert vakum.status_code == 200, vakum.text
        dormant = settles(anyone, kim_path, lambda k: k["status"] == "vakum", "the new status")
        revalidates(anyone, kim_path, dormant, first.headers["etag"], after.headers["etag"])
        before = counted.json()
        moved = settles(anyone, coverage_path, lambda c: (c["kim_active"], c["kim_vakum"]) == (
            before["kim_active"] - 1, before["kim_vakum"] + 1), "the group counted as vakum")
        revalidates(anyone, coverage_path, moved, counted.headers["etag"])

        # a new group in the next village
        second = admin.post("/api/v1/kims", json=new_kim(run, "C", V2))
        assert second.status_code == 201, second.text
        grown = settles(anyone, coverage_path, lambda c: c["kim_active"] == before["kim_active"], "the new group")
        revalidates(anyone, coverage_path, grown, counted.headers["etag"], moved.headers["etag"])

        # around the gateway (another gateway, the dormancy timer): the registry's events drop the entries
        kim_id = kim.json()["id"]
        held = anyone.get(kim_path)
        registry(platform, "update_kim", actor=ADMIN, kim_id=kim_id, changes={"name": f"KIM Tembolok D {run}"})
        by_event = settles(anyone, kim_path, lambda k: k["name"] == f"KIM Tembolok D {run}", "the event's name")
        revalidates(anyone, kim_path, by_event, held.headers["etag"])

        held = anyone.get(coverage_path)
        registry(platform, "change_status", actor=ADMIN, kim_id=kim_id, status="active", reason="uji")
        woken = settles(anyone, coverage_path, lambda c: c["kim_active"] == before["kim_active"] + 1,
                        "the event's coverage")
        revalidates(anyone, coverage_path, woken, held.headers["etag"])
        settles(anyone, kim_path, lambda k: k["status"] == "active", "the event's status")

        held = anyone.get(coverage_path)
        registry(platform, "update_kim", actor=ADMIN, kim_id=kim_id, changes={"village_code": "63.01.02.2001"})
        left = settles(anyone, coverage_path, lambda c: c["kim_active"] == before["kim_active"], "the move")
        revalidates(anyone, coverage_path, left, held.headers["etag"])

        csv = anyone.get(coverage_path, params={"format": "csv"}, headers={"Accept-Language": "en"})
        assert csv.status_code == 200 and csv.text.startswith("region_code,")
        assert csv.headers["vary"] == "Accept-Language" and csv.headers["etag"] != left.headers["etag"]
        again = anyone.get(coverage_path, params={"format": "csv"},
                           headers={"Accept-Language": "en", "If-None-Match": csv.headers["etag"]})
        assert again.status_code == 304 and again.content == b""


def test_regions_carry_an_etag_and_revalidate(platform):
    with platform.client() as anyone:
        for path in ("/api/v1/regions/63.01", "/api/v1/regions?parent=63.01"):
            first = anyone.get(path)
            assert first.status_code == 200
            assert first.headers["cache-control"] == "public, max-age=3600, must-revalidate"
            same = anyone.get(path, headers={"If-None-Match": first.headers["etag"]})
            assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == first.headers["etag"]
        assert anyone.get("/api/v1/regions/63.01", headers={"If-None-Match": '"x"'}).json()["code"] == "63.01"


def answered(anyone, *routes: str) -> float:
    """How many answers the gateway counted on these API routes (its /metrics)."""
    return sum(float(line.rsplit(" ", 1)[1]) for line in anyone.get("/metrics").text.splitlines()
               if line.startswith("kim_http_requests_total{") and any(f'route="{r}"' in line for r in routes))


def test_the_websites_pages_read_the_same_read_model_and_show_each_change(platform):
    """The group page and the map read the read model in the gateway's own process (not through
    HTTP a second time): a change around the gateway shows there as soon as its event arrives,
    and a path the API would refuse is the same error page as before."""
    run = uuid.uuid4().hex[:6]
    with platform.admin as admin, platform.client() as anyone:
        kim = admin.post("/api/v1/kims", json=new_kim(run, "Web", V1)).json()
        asked = answered(anyone, "/api/v1/public/kims/{kim_id}", "/api/v1/public/coverage/{code}")
        assert f"KIM Tembolok Web {run}" in anyone.get(f"/kim/{kim['id']}").text
        district = anyone.get(f"/peta/{DISTRICT}")
        assert district.status_code == 200 and f"KIM Tembolok Web {run}" in district.text
        # the pages asked the API's routes nothing: no second pass through HTTP
        assert answered(anyone, "/api/v1/public/kims/{kim_id}", "/api/v1/public/coverage/{code}") == asked
        registry(platform, "update_kim", actor=ADMIN, kim_id=kim["id"], changes={"name": f"KIM Tembolok Baru {run}"})
        wait_for(lambda: f"KIM Tembolok Baru {run}" in anyone.get(f"/kim/{kim['id']}").text,
                 message="the event's name on the group page")
        for _ in range(REPEATS):
            assert f"KIM Tembolok Baru {run}" in anyone.get(f"/kim/{kim['id']}").text
        assert anyone.get("/kim/KIM-0000000000-99").status_code == 404
        assert anyone.get("/kim/bukan kode!").status_code == 422
        assert anyone.get("/peta/99.99").status_code == 404
        assert anyone.get("/peta/14.7").status_code == 422
        assert "Some fields are invalid." in anyone.get("/peta/14.7", headers={"Accept-Language": "en"}).text
