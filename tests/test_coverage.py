"""Coverage against a hand-computed fixture across two regencies: Kabupaten
Kampar (14.01) and Kabupaten Siak (14.08), which no other test touches."""
import csv
import gzip
import io
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
V1, V2, V3 = "14.01.01.1011", "14.01.01.1013", "14.01.02.1027"  # Kampar
W1, W2 = "14.08.01.1001", "14.08.01.1002"  # Siak


def villages_in(prefix: str) -> int:
    with gzip.open(ROOT / "services/registry/data/villages.csv.gz", "rt") as f:
        return sum(1 for row in csv.DictReader(f) if row["code"].startswith(prefix + "."))


def child(figures: dict, code: str) -> dict:
    return next(c for c in figures["children"] if c["code"] == code)


@pytest.fixture(scope="module")
def fixture_groups(platform):
    run = uuid.uuid4().hex[:6]
    with platform.admin as admin, platform.client() as anyone:
        before = {code: anyone.get(f"/api/v1/public/coverage/{code}").json() for code in ("ID", "14")}
        ids = {}
        for name, village in (("K1", V1), ("K2", V1), ("K3", V2), ("K4", V3), ("K5", W1), ("K6", W1)):
            response = admin.post("/api/v1/kims", json={
                "name": f"KIM Cakupan {name} {run}", "village_code": village, "classification": "maju",
                "sk": {"number": f"COV/{run}/{name}", "date": "2023-01-01", "issuer": "Kepala Desa"}})
            assert response.status_code == 201, response.text
            ids[name] = response.json()["id"]
        for name, status in (("K3", "vakum"), ("K4", "dissolved"), ("K6", "vakum")):
            response = admin.post(f"/api/v1/kims/{ids[name]}/status", json={"status": status, "reason": "uji cakupan"})
            assert response.status_code == 200, response.text
        kampar_operator = admin.post("/api/v1/keys", json={"name": "Operator Kampar", "role": "operator",
                                                           "scope_region": "14.01"}).json()["key"]
    return {"ids": ids, "before": before, "kampar": kampar_operator}


def test_coverage_of_two_regencies_equals_the_hand_count(platform, fixture_groups):
    with platform.client() as anyone:
        riau = anyone.get("/api/v1/public/coverage/14").json()
        kampar = anyone.get("/api/v1/public/coverage/14.01").json()
        siak = anyone.get("/api/v1/public/coverage/14.08").json()

    assert kampar["villages_total"] == villages_in("14.01") == 250
    assert siak["villages_total"] == villages_in("14.08") == 131
    # Kampar: V1 two active, V2 one vakum, V3 one dissolved
    assert (kampar["villages_with_kim"], kampar["villages_with_active_kim"]) == (2, 1)
    assert (kampar["kim_active"], kampar["kim_vakum"]) == (2, 1)
    assert "kim_dissolved" not in kampar  # the public figures
    assert kampar["coverage_percent"] == round(100 * 2 / 250, 2)
    assert kampar["active_coverage_percent"] == round(100 * 1 / 250, 2)
    bangkinang, salo = child(kampar, "14.01.01"), child(kampar, "14.01.02")
    assert (bangkinang["villages_with_kim"], bangkinang["villages_with_active_kim"]) == (2, 1)
    assert (salo["villages_with_kim"], salo["kim_active"], salo["kim_vakum"]) == (0, 0, 0)
    # Siak: W1 one active and one vakum
    assert (siak["villages_with_kim"], siak["villages_with_active_kim"], siak["kim_active"], siak["kim_vakum"]) \
        == (1, 1, 1, 1)
    assert child(riau, "14.01")["villages_with_kim"] == 2 and child(riau, "14.08")["kim_vakum"] == 1
    before = fixture_groups["before"]["14"]
    assert riau["villages_with_kim"] - before["villages_with_kim"] == 3
    assert riau["villages_with_active_kim"] - before["villages_with_active_kim"] == 2
    assert riau["kim_active"] - before["kim_active"] == 3 and riau["kim_vakum"] - before["kim_vakum"] == 2


def test_scoped_coverage_and_csv(platform, fixture_groups):
    with platform.client(fixture_groups["kampar"]) as kampar_operator:
        kampar = kampar_operator.get("/api/v1/coverage/14.01").json()
        assert kampar["kim_dissolved"] == 1 and child(kampar, "14.01.02")["kim_dissolved"] == 1
        for outside in ("14.08", "14", "ID"):
            response = kampar_operator.get(f"/api/v1/coverage/{outside}")
            assert response.status_code == 403 and response.headers["content-type"].startswith("application/problem")
        exported = kampar_operator.get("/api/v1/coverage/14.01", params={"format": "csv"})
        assert exported.headers["content-type"].startswith("text/csv")
        assert 'filename="cakupan-14.01.csv"' in exported.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert rows[0]["kode_wilayah"] == "14.01" and int(rows[0]["desa_dengan_kim"]) == 2
        assert int(rows[0]["kim_bubar"]) == 1 and float(rows[0]["persen_cakupan"]) == kampar["coverage_percent"]
        assert [r["kode_wilayah"] for r in rows[1:]] == [c["code"] for c in kampar["children"]]
        english = kampar_operator.get("/api/v1/coverage/14.01?format=csv", headers={"Accept-Language": "en"})
        assert english.text.startswith("region_code,region_name,level,villages_total")
    with platform.client() as anyone:
        assert anyone.get("/api/v1/coverage/14.01").status_code == 401
        public_csv = anyone.get("/api/v1/public/coverage/14.01?format=csv").text
        assert "kim_bubar" not in public_csv.splitlines()[0]
        assert anyone.get("/api/v1/public/coverage/99").status_code == 404
        assert anyone.get("/api/v1/public/coverage/14.0").status_code == 422
        national = anyone.get("/api/v1/public/coverage/ID").json()
        assert national["villages_total"] == 83762 and len(national["children"]) == 38
    with platform.admin as admin:
        assert admin.get("/api/v1/coverage/ID").json()["villages_total"] == 83762


def test_moving_and_reviving_a_group_moves_the_figures(platform, fixture_groups):
    ids = fixture_groups["ids"]
    with platform.admin as admin, platform.client() as anyone:
        version = admin.get(f"/api/v1/kims/{ids['K3']}").json()["version"]
        moved = admin.patch(f"/api/v1/kims/{ids['K3']}", json={"village_code": W2},
                            headers={"If-Match": f'"{version}"'})
        assert moved.status_code == 200, moved.text
        kampar = anyone.get("/api/v1/public/coverage/14.01").json()
        siak = anyone.get("/api/v1/public/coverage/14.08").json()
        assert (kampar["villages_with_kim"], kampar["kim_vakum"]) == (1, 0)
        assert (siak["villages_with_kim"], siak["villages_with_active_kim"], siak["kim_vakum"]) == (2, 1, 2)

        revived = admin.post(f"/api/v1/kims/{ids['K3']}/activities", json={
            "date": "2026-01-05", "title": "Diseminasi informasi pupuk", "kind": "diseminasi", "participants": 30})
        assert revived.status_code == 201, revived.text
        siak = anyone.get("/api/v1/public/coverage/14.08").json()
        assert (siak["villages_with_active_kim"], siak["kim_active"], siak["kim_vakum"]) == (2, 2, 1)
