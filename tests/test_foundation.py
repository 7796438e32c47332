"""The foundation end to end: real processes, real broker, real databases."""
import json
import time

import httpx

PROBLEM = "application/problem+json"


def assert_problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["status"] == status
    return response.json()


def test_ready_with_every_service(platform):
    with platform.client() as anyone:
        ready = anyone.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "ok", "registry": "ok", "broadcast": "ok", "aspirations": "ok",
                                          "channels": "ok"}


def test_no_service_start_prints_eventlets_deprecation_warning(platform):
    log = platform.log()
    assert "started registry" in log and "started aspirations" in log and "started channels" in log
    assert "Eventlet is deprecated" not in log and "EventletDeprecationWarning" not in log


def test_operator_key_reads_pekanbaru_with_ancestors_and_children(platform, keys):
    with platform.client(keys["pekanbaru"]["key"]) as operator:
        region = operator.get("/api/v1/regions/14.71")
        assert region.status_code == 200, region.text
        body = region.json()
        assert body["name"] == "Kota Pekanbaru" and body["level"] == "regency"
        assert [(a["code"], a["name"]) for a in body["ancestors"]] == [("14", "Riau")]
        assert [c["code"] for c in body["children"]][:3] == ["14.71.01", "14.71.02", "14.71.03"]
        children = operator.get("/api/v1/regions", params={"parent": "14.71", "limit": 5}).json()
        assert children["items"] == body["children"][:5]
        assert children["total"] == len(body["children"]) and children["next"] == "5"
        rest = operator.get("/api/v1/regions", params={"parent": "14.71", "limit": 5, "cursor": children["next"]})
        assert rest.json()["items"] == body["children"][5:10]


def test_regions_for_anyone(platform):
    with platform.client() as anyone:
        provinces = anyone.get("/api/v1/regions", params={"limit": 100}).json()
        assert provinces["total"] == 38 and provinces["next"] is None
        village = anyone.get("/api/v1/regions/14.71.01.1002").json()
        assert [a["code"] for a in village["ancestors"]] == ["14", "14.71", "14.71.01"]
        found = anyone.get("/api/v1/regions", params={"q": "pekanbaru", "level": "regency"}).json()
        assert [r["code"] for r in found["items"]] == ["14.71"]
        body = assert_problem(anyone.get("/api/v1/regions/99.99"), 404)
        assert body["code"] == "99.99"
        assert_problem(anyone.get("/api/v1/regions", params={"parent": "14.99"}), 404)
        english = anyone.get("/api/v1/regions/99.99", headers={"Accept-Language": "en"}).json()
        assert english["title"] == "Not found" and english["detail"] == "No region with code 99.99."


def test_401_and_403_where_they_must_be(platform, keys):
    with platform.client() as anyone:
        assert_problem(anyone.get("/api/v1/keys"), 401)
        assert_problem(anyone.post("/api/v1/keys", json={"name": "x", "role": "admin"}), 401)
        assert_problem(anyone.get("/api/v1/regions/14", headers={"Authorization": "Bearer kim_wrong"}), 401)
    with platform.client(keys["pekanbaru"]["key"]) as operator:
        assert_problem(operator.get("/api/v1/keys"), 403)
        assert_problem(operator.post("/api/v1/keys", json={"name": "x", "role": "operator", "scope_region": "14.71"}), 403)
        assert_problem(operator.delete(f"/api/v1/keys/{keys['dumai']['id']}"), 403)
    with platform.client(keys["kim"]["key"]) as kim:
        assert_problem(kim.get("/api/v1/keys"), 403)
    with platform.client(keys["riau"]["key"]) as riau:
        # a province admin: keys inside Riau only
        listed = riau.get("/api/v1/keys").json()
        scopes = {k["scope_region"] for k in listed["items"]}
        assert {"14", "14.71", "14.72"} <= scopes
        assert all(scope == "14" or scope.startswith("14.") for scope in scopes)
        assert_problem(riau.post("/api/v1/keys", json={"name": "x", "role": "operator", "scope_region": "31.71"}), 403)
        assert_problem(riau.post("/api/v1/keys", json={"name": "x", "role": "admin"}), 403)
        created = riau.post("/api/v1/keys", json={"name": "Operator Kampar", "role": "operator", "scope_region": "14.01"})
        assert created.status_code == 201, created.text


def test_unknown_region_codes_in_key_requests_change_nothing(platform):
    with platform.admin as admin:
        before = admin.get("/api/v1/keys").json()["total"]
        body = assert_problem(admin.post("/api/v1/keys", json={"name": "x", "role": "operator", "scope_region": "14.99"}), 422)
        assert body["errors"][0]["field"] == "scope_region"
        assert_problem(admin.post("/api/v1/keys", json={"name": "x", "role": "admin", "scope_region": "99"}), 422)
        assert_problem(admin.post("/api/v1/keys", content=b"{not json", headers={"Content-Type": "application/json"}), 400)
        assert_problem(admin.post("/api/v1/keys", json={"name": ["x"], "role": "admin"}), 422)
        assert_problem(admin.post("/api/v1/keys", json={"name": "x", "role": "admin", "is_root": True}), 422)
        assert_problem(admin.post("/api/v1/keys", content=b"{" + b" " * 300_000 + b"}",
                                  headers={"Content-Type": "application/json"}), 413)
        assert admin.get("/api/v1/keys").json()["total"] == before


def test_metrics_on_every_process(platform):
    with httpx.Client(timeout=10) as http:
        gateway = http.get(platform.url + "/metrics").text
        assert "kim_http_requests_total" in gateway
        for service in ("registry", "broadcast", "aspirations", "channels"):
            text = http.get(f"http://127.0.0.1:{platform.env[service.upper() + '_METRICS_PORT']}/metrics").text
            assert f'kim_rpc_requests_total{{method="health",outcome="ok",service="{service}"}}' in text
            assert f'kim_outbox_backlog{{service="{service}"}}' in text


def test_the_correlation_id_follows_a_request_into_the_registry(platform):
    trace = f"trace-{platform.backend}-404"
    with platform.client(**{"X-Correlation-ID": trace}) as anyone:
        assert anyone.get("/api/v1/regions/99.98").status_code == 404

    def registry_logged_it():
        lines = [json.loads(line) for line in platform.log().splitlines() if line.startswith("{")]
        return any(line.get("service") == "registry" and line.get("correlation_id") == trace for line in lines)

    deadline = time.monotonic() + 10  # the registry's log line is flushed on its own schedule
    while not registry_logged_it() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert registry_logged_it()


def test_one_correlation_id_through_the_gateway_an_rpc_and_an_event(platform):
    trace = f"trace-{platform.backend}-event"
    with platform.client(platform.admin_key, **{"X-Correlation-ID": trace}) as admin:
        created = admin.post("/api/v1/kims", json={
            "name": f"KIM Jejak {platform.backend}", "village_code": "14.71.01.1006", "classification": "tumbuh",
            "sk": {"number": f"JEJAK/{platform.backend}", "date": "2024-01-01", "issuer": "Lurah"}})
        assert created.status_code == 201 and created.headers["x-correlation-id"] == trace

    def services_that_logged_it():
        lines = [json.loads(line) for line in platform.log().splitlines() if line.startswith("{")]
        return {line["service"] for line in lines if line.get("correlation_id") == trace}

    # the registry handled the RPC; the broadcast service applied the event it published
    deadline = time.monotonic() + 20
    while not {"broadcast"} <= services_that_logged_it() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "broadcast" in services_that_logged_it()
