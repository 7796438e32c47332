"""The gateway on its own: keys, problem responses, limits, and a clear 503
when the broker is down."""
import pytest

PROBLEM = "application/problem+json"


def assert_problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"].startswith("urn:kim:problem:")
    assert "Traceback" not in response.text
    return body


def key_count(client, admin):
    return client.get("/api/v1/keys", headers=admin).json()["total"]


def test_liveness_and_readiness_without_broker(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    body = assert_problem(client.get("/readyz"), 503)
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["registry"].startswith("unavailable")


def test_a_service_call_without_broker_is_a_503_not_a_hang(client):
    body = assert_problem(client.get("/api/v1/regions/14.71"), 503)
    assert "broker" in body["detail"] or "pialang" in body["detail"]
    assert_problem(client.get("/api/v1/regions?parent=14"), 503)


def test_admin_issues_lists_and_revokes_keys(client, admin):
    # a scoped key needs the registry to check its region: without it, 503 and nothing stored
    assert_problem(client.post("/api/v1/keys", headers=admin,
                               json={"name": "Admin Riau", "role": "admin", "scope_region": "14"}), 503)
    assert key_count(client, admin) == 1

    created = client.post("/api/v1/keys", headers=admin, json={"name": "Admin cadangan", "role": "admin"})
    assert created.status_code == 201, created.text
    key = created.json()
    assert key["key"].startswith("kim_") and key["role"] == "admin" and key["scope_region"] is None
    listed = client.get("/api/v1/keys", headers=admin)
    assert listed.json()["total"] == 2 and key["id"] in [k["id"] for k in listed.json()["items"]]
    assert "key" not in listed.json()["items"][0] and "key_hash" not in listed.json()["items"][0]
    assert key["key"] not in listed.text

    spare = {"Authorization": f"Bearer {key['key']}"}
    assert client.get("/api/v1/keys", headers=spare).json()["total"] == 2
    assert client.delete(f"/api/v1/keys/{key['id']}", headers=admin).status_code == 204
    assert_problem(client.get("/api/v1/keys", headers=spare), 401)
    assert client.delete(f"/api/v1/keys/{key['id']}", headers=admin).status_code == 204  # idempotent
    assert client.get("/api/v1/keys", headers=admin).json()["items"][1]["revoked_at"]


def test_the_last_national_admin_key_cannot_be_revoked(client, admin):
    me = client.get("/api/v1/keys", headers=admin).json()["items"][0]
    body = assert_problem(client.delete(f"/api/v1/keys/{me['id']}", headers=admin), 409)
    assert "terakhir" in body["detail"]
    assert client.get("/api/v1/keys", headers=admin).status_code == 200


def test_authentication_problems(client, admin):
    body = assert_problem(client.get("/api/v1/keys"), 401)
    assert client.get("/api/v1/keys").headers["www-authenticate"].startswith("Bearer")
    assert_problem(client.get("/api/v1/keys", headers={"Authorization": "Bearer kim_nope"}), 401)
    assert_problem(client.get("/api/v1/keys", headers={"Authorization": "Basic abc"}), 401)
    assert_problem(client.get("/api/v1/regions/14", headers={"Authorization": "Bearer wrong"}), 401)
    assert body["title"] == "Tidak terautentikasi"
    english = client.get("/api/v1/keys", headers={"Accept-Language": "en-US,en;q=0.9"}).json()
    assert english["title"] == "Unauthorized" and english["detail"] == "An API key is required."
    # a kim key is checked against the registry: without a broker, 503 and nothing stored
    assert_problem(client.post("/api/v1/keys", headers=admin, json={"name": "KIM", "role": "kim", "kim_id": "k-1"}), 503)
    _, secret = client.app.state.keys.issue("KIM Maju", "kim", "14.71.01.1002", "KIM-1471011002-01", None)
    assert_problem(client.get("/api/v1/keys", headers={"Authorization": f"Bearer {secret}"}), 403)


@pytest.mark.parametrize("payload, field", [
    ({"name": "x", "role": "superuser"}, "role"),
    ({"name": "", "role": "admin"}, "name"),
    ({"name": "x" * 101, "role": "admin"}, "name"),
    ({"name": 5, "role": "admin"}, "name"),
    ({"name": "x", "role": "admin", "extra": 1}, "extra"),
    ({"name": "x", "role": "operator"}, ""),
    ({"name": "x", "role": "operator", "scope_region": "14"}, ""),
    ({"name": "x", "role": "operator", "scope_region": "14.7x"}, "scope_region"),
    ({"name": "x", "role": "kim"}, ""),
    ({"name": "x", "role": "admin", "kim_id": "k"}, ""),
    ({"role": "admin"}, "name"),
])
def test_bad_key_requests_are_422_and_change_nothing(client, admin, payload, field):
    before = key_count(client, admin)
    body = assert_problem(client.post("/api/v1/keys", headers=admin, json=payload), 422)
    assert body["errors"] and any(e["field"].startswith(field) for e in body["errors"])
    assert key_count(client, admin) == before


def test_malformed_and_oversized_bodies(client, admin):
    before = key_count(client, admin)
    headers = {**admin, "Content-Type": "application/json"}
    assert_problem(client.post("/api/v1/keys", headers=headers, content=b'{"name": "x", "role": '), 400)
    assert_problem(client.post("/api/v1/keys", headers=headers, content=b"[1, 2]"), 422)
    big = b'{"name": "' + b"x" * 5000 + b'", "role": "admin"}'
    body = assert_problem(client.post("/api/v1/keys", headers=headers, content=big), 413)
    assert "4096" in body["detail"]

    def chunks():  # no Content-Length: the limit still holds while reading
        for _ in range(10):
            yield b" " * 1000
    assert_problem(client.post("/api/v1/keys", headers=headers, content=chunks()), 413)
    assert key_count(client, admin) == before


@pytest.mark.parametrize("path", [
    "/api/v1/regions/14.7", "/api/v1/regions/abc", "/api/v1/regions?parent=1",
    "/api/v1/regions?q=a", "/api/v1/regions?q=riau&level=planet", "/api/v1/regions?limit=0",
    "/api/v1/regions?limit=501", "/api/v1/regions?cursor=abc", "/api/v1/keys?limit=-1",
    "/api/v1/public/kims?q=ab%00c", "/api/v1/kims?q=ab%00c",
])
def test_bad_queries_are_422_before_any_service_is_asked(client, admin, path):
    body = assert_problem(client.get(path, headers=admin), 422)
    assert body["errors"]


def test_unknown_routes_methods_and_keys(client, admin):
    assert_problem(client.get("/api/v1/nothing"), 404)
    assert_problem(client.put("/api/v1/keys", headers=admin), 405)
    assert_problem(client.delete("/api/v1/keys/00000000-0000-0000-0000-000000000000", headers=admin), 404)


def test_correlation_id_is_echoed_or_made(client):
    assert client.get("/healthz", headers={"X-Correlation-ID": "abc123"}).headers["x-correlation-id"] == "abc123"
    assert len(client.get("/healthz").headers["x-correlation-id"]) == 32
    assert client.get("/healthz", headers={"X-Correlation-ID": "a b\tc"}).headers["x-correlation-id"] != "a b\tc"


def test_metrics_count_requests_per_route(client):
    client.get("/healthz")
    text = client.get("/metrics").text
    assert 'kim_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'kim_http_request_duration_seconds_bucket' in text


def test_openapi_documents_examples_and_problems(client):
    spec = client.get("/openapi.json").json()
    assert "/api/v1/regions/{code}" in spec["paths"] and "/api/v1/keys" in spec["paths"]
    region = spec["paths"]["/api/v1/regions/{code}"]["get"]
    assert "404" in region["responses"] and "503" in region["responses"]
    assert spec["components"]["schemas"]["KeyCreate"]["examples"]
    assert spec["components"]["schemas"]["RegionDetail"]["examples"]
    assert client.get("/docs").status_code == 200


def test_a_service_that_never_ran_is_a_503_at_once(client_on_empty_broker):
    # nothing consumes registry.* here: the broker returns the request
    # instead of the gateway waiting out its 30 s timeout
    body = assert_problem(client_on_empty_broker.get("/api/v1/regions/14.71"), 503)
    assert body["service"] == "registry"
    assert "not running" in client_on_empty_broker.get(
        "/api/v1/regions/14.71", headers={"Accept-Language": "en"}).json()["detail"]


def test_an_unexpected_error_is_logged_without_what_the_request_carried(client, caplog):
    sent = {"name": "Siti Rahmawati", "phone": "(0761) 12345"}

    @client.app.get("/api/v1/test-failure")
    async def failing():
        raise ValueError(f"input_value={sent}")

    with caplog.at_level("ERROR", logger="services.gateway"):
        body = assert_problem(client.get("/api/v1/test-failure"), 500)
    assert "Siti" not in str(body)
    logged = [r for r in caplog.records if r.name == "services.gateway"]
    assert logged and "ValueError" in logged[0].getMessage() and "/api/v1/test-failure" in logged[0].getMessage()
    assert "Siti" not in caplog.text and "12345" not in caplog.text
