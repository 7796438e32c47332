"""The tag vocabulary: controlled (unknown tags are refused) but extensible
by a national admin."""
import uuid


def test_vocabulary_is_listed_and_extended_by_a_national_admin_only(platform, keys):
    code = f"lingkungan_{uuid.uuid4().hex[:6]}"
    body = {"code": code, "label_id": "Lingkungan hidup", "label_en": "Environment"}
    with platform.client() as anyone:
        tags = anyone.get("/api/v1/tags").json()
        assert {"pemuda", "perempuan", "pertanian", "perikanan", "umkm", "kesehatan", "pendidikan",
                "disabilitas"} <= {t["code"] for t in tags["items"]}
        assert anyone.post("/api/v1/tags", json=body).status_code == 401
    with platform.client(keys["riau"]["key"]) as province_admin:
        assert province_admin.post("/api/v1/tags", json=body).status_code == 403
    with platform.client(keys["pekanbaru"]["key"]) as operator:
        assert operator.post("/api/v1/tags", json=body).status_code == 403
        refused = operator.post("/api/v1/kims", json={
            "name": f"KIM Hijau {code}", "village_code": "14.71.01.1002", "classification": "tumbuh",
            "tags": [code], "sk": {"number": f"TAG/{code}", "date": "2024-02-02", "issuer": "Lurah"}})
        assert refused.status_code == 422
    with platform.admin as admin:
        created = admin.post("/api/v1/tags", json=body)
        assert created.status_code == 201, created.text
        assert admin.post("/api/v1/tags", json=body).status_code == 409
    with platform.client(keys["pekanbaru"]["key"]) as operator:
        registered = operator.post("/api/v1/kims", json={
            "name": f"KIM Hijau {code}", "village_code": "14.71.01.1002", "classification": "tumbuh",
            "tags": [code], "sk": {"number": f"TAG/{code}", "date": "2024-02-02", "issuer": "Lurah"}})
        assert registered.status_code == 201, registered.text
        assert registered.json()["tags"] == [code]
        found = operator.get("/api/v1/kims", params={"tag": code}).json()
        assert [k["id"] for k in found["items"]] == [registered.json()["id"]]
