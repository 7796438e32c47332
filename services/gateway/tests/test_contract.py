"""The OpenAPI document tells the truth about the answers: every error is a
problem+json, each operation lists the statuses its dependencies can answer,
formats the gateway enforces are stated, and every path answers OPTIONS and
an undeclared method with its full `Allow`. (tests/test_contract.py fuzzes
the running platform against the same document.)"""
from typing import Any

import pytest

from services.gateway.tests.test_gateway import assert_problem

PROBLEM = "application/problem+json"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(client):
    return client.get("/openapi.json").json()


def api_operations(spec):
    for path, item in spec["paths"].items():
        if path.startswith("/api/v1"):
            for method, operation in item.items():
                if method in METHODS:
                    yield f"{method.upper()} {path}", operation


def test_every_error_answer_is_documented_as_a_problem(spec):
    for name, operation in api_operations(spec):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert list(response["content"]) == [PROBLEM], (name, status)
                assert response["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/ProblemDetails"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_statuses_follow_from_what_an_operation_depends_on(spec):
    for name, operation in api_operations(spec):
        statuses = set(operation["responses"])
        if operation.get("requestBody"):
            assert {"400", "413", "422"} <= statuses, name
        if operation.get("parameters"):
            assert "422" in statuses, name
    kims = spec["paths"]["/api/v1/kims"]
    assert {"401", "403", "503"} <= set(kims["get"]["responses"])
    unavailable = kims["get"]["responses"]["503"]
    assert "Retry-After" in unavailable["headers"]
    # without a key a public route still checks a key that is sent, and a session's CSRF token
    assert {"401", "403", "503"} <= set(spec["paths"]["/api/v1/tags"]["get"]["responses"])
    assert "503" in spec["paths"]["/readyz"]["get"]["responses"]


def test_the_formats_the_gateway_enforces_are_stated(spec):
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/kims"]["get"]["parameters"]}
    assert parameters["cursor"]["schema"]["anyOf"][0]["pattern"] == "^[0-9]{1,7}$"
    patch = {p["name"]: p for p in spec["paths"]["/api/v1/kims/{kim_id}"]["patch"]["parameters"]}
    assert patch["if-match"]["schema"]["pattern"]
    metrics = spec["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert list(metrics) == ["text/plain"]
    stats = spec["paths"]["/api/v1/aspirations/stats"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv"} <= set(stats)


def test_a_path_answers_options_with_all_its_methods(client, admin):
    response = client.options("/api/v1/kims", headers=admin)
    assert response.status_code == 204
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST", "OPTIONS"}
    response = client.options("/api/v1/kims/KIM-1", headers=admin)
    assert set(response.headers["allow"].split(", ")) == {"GET", "PATCH", "OPTIONS"}


def test_an_undeclared_method_is_405_with_the_full_allow(client, admin):
    body = assert_problem(client.put("/api/v1/kims", headers=admin), 405)
    assert body["detail"]
    assert set(client.put("/api/v1/kims").headers["allow"].split(", ")) == {"GET", "POST", "OPTIONS"}
    # a concrete path wins over a template that would also match it
    response = client.get("/api/v1/broadcasts/preview", headers=admin)
    assert_problem(response, 405)
    assert set(response.headers["allow"].split(", ")) == {"POST", "OPTIONS"}


def test_a_cursor_is_a_previous_page_s_next(client, admin):
    assert_problem(client.get("/api/v1/keys?cursor=", headers=admin), 422)
    assert_problem(client.get("/api/v1/keys?cursor=12345678", headers=admin), 422)
    assert client.get("/api/v1/keys?cursor=0", headers=admin).status_code == 200


KIM: dict[str, Any] = {"name": "KIM Uji Tipe", "village_code": "14.71.01.1002", "classification": "tumbuh",
       "sk": {"number": "1/SK/2024", "date": "2024-01-02", "issuer": "Lurah Jadirejo"}}


@pytest.mark.parametrize("path, body, field", [
    ("/api/v1/kims", {**KIM, "lat": False}, "lat"),
    ("/api/v1/kims", {**KIM, "lon": "101.4"}, "lon"),
    ("/api/v1/kims", {**KIM, "sk": {**KIM["sk"], "date": 0}}, "sk.date"),
    ("/api/v1/kims/KIM-1/activities", {"date": "2024-01-02", "title": "Rapat", "kind": "pertemuan",
                                       "participants": True}, "participants"),
    ("/api/v1/broadcasts", {"title": "Uji", "body": "Isi", "category": "program", "publish_at": 0,
                            "target": {"regions": ["14.71"]}}, "publish_at"),
    ("/api/v1/broadcasts/preview", {"target": {"regions": ["14.71"], "include_vakum": 1}}, "target.include_vakum"),
    ("/api/v1/aspirations", {"kind": "aspirasi", "category": "jalan", "body": "Jalan rusak.",
                             "village_code": "14.71.01.1002", "rahasia": "true"}, "rahasia"),
])
def test_a_value_of_another_json_type_is_refused_not_converted(client, admin, path, body, field):
    problem = assert_problem(client.post(path, headers=admin, json=body), 422)
    assert any(e["field"].startswith(field) for e in problem["errors"]), problem
    assert any(e["message"] and "Value error" not in e["message"] for e in problem["errors"])


@pytest.mark.parametrize("url", ["http://[0]/hook", "http://kim.example:99999/hook", "http://a\uff03b/hook",
                                 "http://user@kim.example/hook", "ftp://kim.example/hook"])
def test_a_webhook_address_the_services_cannot_read_is_refused_at_the_door(client, admin, url):
    # each of these was a 500 inside the broadcast service (urlsplit raises on them)
    problem = assert_problem(client.put("/api/v1/kims/KIM-1/webhook", headers=admin, json={"url": url}), 422)
    assert problem["errors"][0]["field"] == "url"


def test_a_delivery_id_is_bounded_like_its_column(client, admin):
    # 2**64 was a 500: an integer the database cannot hold
    path = f"/api/v1/kims/KIM-1/inbox/{2 ** 64}/ack"
    assert assert_problem(client.post(path, headers=admin), 422)["errors"][0]["field"] == "delivery_id"


@pytest.mark.parametrize("method, path, body, field", [
    # each of these passed the gateway and was refused or failed later; now the document says so
    ("patch", "/api/v1/kims/KIM-1", {"tags": None}, "tags"),  # a 500 in the registry
    ("post", "/api/v1/tags", {"code": "air", "label_id": "Air\x00", "label_en": "Water"}, "label_id"),  # PostgreSQL
    ("post", "/api/v1/broadcasts", {"title": "\x0b\x85 ", "body": "Isi", "category": "program",
                                    "target": {"regions": ["14"]}}, "title"),
    ("post", "/api/v1/kims/KIM-1/status", {"status": "vakum", "reason": " Pindah"}, "reason"),
    ("post", "/api/v1/kims/KIM-1/activities", {"date": "1900-01-02", "title": "Rapat", "kind": "pertemuan",
                                               "participants": 3}, "date"),
    ("post", "/api/v1/broadcasts", {"title": "Uji", "body": "Isi", "category": "program",
                                    "publish_at": "0001-01-01T00:00:00+01:00", "target": {"regions": ["14"]}},
     "publish_at"),
])
def test_what_the_document_forbids_is_refused_at_the_door(client, admin, method, path, body, field):
    problem = assert_problem(getattr(client, method)(path, headers=admin, json=body), 422)
    assert any(e["field"] == field for e in problem["errors"]), problem


def test_the_document_states_the_rules_across_fields_and_the_bounds(spec):
    schemas = spec["components"]["schemas"]
    for name in ("KeyCreate", "AccountCreate"):
        rules = {rule["if"]["properties"]["role"]["const"]: rule for rule in schemas[name]["allOf"]}
        assert rules["operator"]["then"]["required"] == ["scope_region"]
        assert rules["kim"]["else"]["properties"]["kim_id"] == {"type": "null"}
    assert schemas["KimCreate"]["properties"]["lat"]["anyOf"][0]["maximum"] == 7  # Indonesia's north
    assert schemas["KimPatch"]["properties"]["tags"]["type"] == "array"
    assert schemas["TagCreate"]["properties"]["label_id"]["pattern"].startswith("^[^")


@pytest.mark.parametrize("field, value", [("media_url", "null"), ("first_name", "N" * 150), ("service_code", "")])
def test_an_open311_form_the_document_forbids_is_refused_not_a_500(client, admin, field, value):
    # refused as a GeoReport error naming the field (a phone as people write it is taken: tests/test_aspirations.py)
    form = {"api_key": admin["Authorization"].split()[1], "service_code": "lainnya", "description": "Jalan rusak.",
            "address_id": "14.71.01.1002", field: value}
    answer = client.post("/open311/v2/requests.json", data=form)
    assert answer.status_code == 400
    assert answer.json()[0]["code"] == 400 and answer.json()[0]["description"].startswith(field)


def test_answers_link_to_the_calls_they_make_possible(spec):
    operations = {op["operationId"] for item in spec["paths"].values() for op in item.values() if "operationId" in op}
    created = spec["paths"]["/api/v1/kims"]["post"]["responses"]["201"]["links"]
    assert created["GetKim"]["parameters"] == {"kim_id": "$response.body#/id"}
    links = [link for item in spec["paths"].values() for op in item.values() if isinstance(op, dict)
             for response in op.get("responses", {}).values() for link in response.get("links", {}).values()]
    assert len(links) >= 15 and all(link["operationId"] in operations for link in links)


def test_open311_errors_from_outside_its_routes_are_georeport_errors_too(client, admin):
    """Open311 clients read `[{"code", "description"}]`: the 405 of an undeclared method, the 413
    of a body too large and the 404 of an unknown Open311 path have that shape, as the document says."""
    def georeport(response, status):
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/json", response.headers["content-type"]
        assert [e["code"] for e in response.json()] == [status] and response.json()[0]["description"]

    undeclared = client.put("/open311/v2/requests.json", headers=admin)
    georeport(undeclared, 405)
    assert set(undeclared.headers["allow"].split(", ")) == {"GET", "POST", "OPTIONS"}
    georeport(client.post("/open311/v2/requests.json", content=b"description=" + b"x" * 300_000,
                          headers={"Content-Type": "application/x-www-form-urlencoded"}), 413)
    georeport(client.get("/open311/v2/tidak-ada.json"), 404)
    assert_problem(client.get("/api/v1/tidak-ada"), 404)  # the rest of the API keeps its problems
