"""The evaluation end to end (issue 15): figures from the registry (activities),
the broadcast service (acknowledgement, relay, people reached) and the
aspirations service (an aspiration filed) combined by the gateway into the report
of Kota Mataram (52.71, which no other test touches); the CSV round-trips, the
PDF's text reads back; criteria set by the national admin only.

The period is last month and this one (the platform's zone, Asia/Jakarta):
  group A  last month: one activity (3 points); this month: an activity, an
           acknowledgement, a relay to 120 people, an aspiration filed
           (3 + 1 + 2 + 120/50 + 2 = 10.4 points)  ->  v = 6.7, both months active,
           index = 100 × 6.7 / 12.7 = 52.8
  group B  nothing                                  ->  0.0
"""
import csv
import io
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pypdf
import pytest

from tests.conftest import wait_for

VILLAGE_A, VILLAGE_B = "52.71.01.1004", "52.71.01.1005"  # Ampenan Selatan, Ampenan Tengah


def months() -> tuple[str, str, date]:
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    previous = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 15)
    return previous.strftime("%Y-%m"), today.strftime("%Y-%m"), today


@pytest.fixture(scope="module")
def mataram(platform):
    run = uuid.uuid4().hex[:6]
    first, last, today = months()
    with platform.admin as admin:
        ids = {}
        for key, village in (("A", VILLAGE_A), ("B", VILLAGE_B)):
            created = admin.post("/api/v1/kims", json={
                "name": f"KIM Evaluasi {key} {run}", "village_code": village, "classification": "tumbuh",
                "sk": {"number": f"EVAL/{run}/{key}", "date": "2024-02-02", "issuer": "Lurah"}})
            assert created.status_code == 201, created.text
            ids[key] = created.json()["id"]
        for day in (f"{first}-15", today.isoformat()):
            reported = admin.post(f"/api/v1/kims/{ids['A']}/activities", json={
                "date": day, "title": "Sosialisasi", "kind": "diseminasi", "participants": 20})
            assert reported.status_code == 201, reported.text
        group_key = admin.post("/api/v1/keys", json={"name": "KIM Evaluasi A", "role": "kim",
                                                     "kim_id": ids["A"]}).json()["key"]
        operator = admin.post("/api/v1/keys", json={"name": "Operator Mataram", "role": "operator",
                                                    "scope_region": "52.71"}).json()["key"]
        wait_for(lambda: admin.post("/api/v1/broadcasts/preview", json={"target": {"regions": ["52.71"]}})
                 .json()["recipients"] == 2, message="the broadcast directory to know both groups")
        broadcast = admin.post("/api/v1/broadcasts", json={
            "title": "Evaluasi", "body": "Isi siaran.", "category": "program", "target": {"regions": ["52.71"]}})
        assert admin.post(f"/api/v1/broadcasts/{broadcast.json()['id']}/publish").status_code == 200
    with platform.client(group_key) as group:
        delivery = wait_for(lambda: group.get(f"/api/v1/kims/{ids['A']}/inbox").json()["items"],
                            message="the delivery in the group's inbox")[0]
        inbox = f"/api/v1/kims/{ids['A']}/inbox/{delivery['id']}"
        assert group.post(f"{inbox}/ack").status_code == 200
        assert group.post(f"{inbox}/relay", json={"reached": 120, "channel": "whatsapp",
                                                  "date": today.isoformat()}).status_code == 200
        wait_for(lambda: group.post("/api/v1/aspirations", json={
            "kind": "aspirasi", "category": "kesehatan", "body": "Mohon posyandu dibuka Sabtu.",
            "village_code": VILLAGE_A, "submitter": {"name": "Warga"}}).status_code == 202,
            message="the aspirations service to know the group")
    return {"ids": ids, "operator": operator, "first": first, "last": last}


def report_of(client, mataram, **params):
    return client.get("/api/v1/evaluation/52.71", params={"to": mataram["last"], "months": 2, **params})


def test_the_report_combines_every_services_figures(platform, mataram, keys):
    ids = mataram["ids"]
    with platform.client(mataram["operator"]) as operator:
        def complete():
            found = report_of(operator, mataram)
            assert found.status_code == 200, found.text
            group = next(g for g in found.json()["groups"] if g["kim_id"] == ids["A"])
            return group["figures"]["aspirations_filed"] == 1 and found.json()
        report = wait_for(complete, message="the aspiration to be stored")
        a, b = report["groups"]
        assert (a["kim_id"], a["rank"], a["index"], a["active_months"]) == (ids["A"], 1, 52.8, 2)
        assert a["figures"] == {"activities": 2, "acknowledged": 1, "relays": 1, "reached": 120,
                                "aspirations_filed": 1, "aspirations_answered": 0, "posts": 0, "hoax_reports": 0}
        assert a["monthly"] == [3.0, 10.4] and (b["kim_id"], b["index"]) == (ids["B"], 0.0)
        assert report["unavailable"] == []
        assert report["region"]["name"] == "Kota Mataram" and report["summary"]["groups"] == 2

        # the CSV round-trips: every group's row reads back as the JSON says
        exported = report_of(operator, mataram, format="csv")
        assert exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert [(r["peringkat"], r["id_kim"], r["nama"], float(r["indeks"]), int(r["activities"]),
                 int(r["reached"]), r["berisiko_vakum"]) for r in rows] == [
            (str(g["rank"]), g["kim_id"], g["name"], g["index"], g["figures"]["activities"],
             g["figures"]["reached"], "tidak") for g in report["groups"]]

        # the PDF, printed in Indonesian and in English
        printed = report_of(operator, mataram, format="pdf")
        assert printed.headers["content-type"] == "application/pdf", printed.text
        text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(printed.content)).pages)
        assert "Evaluasi KIM Kota Mataram (52.71)" in text and "Peringkat KIM" in text
        assert a["name"] in text and b["name"] in text and "52.8" in text
        assert "Belum tersedia" not in text  # every figure is counted by its service
    with platform.client(mataram["operator"], **{"Accept-Language": "en"}) as operator:
        assert "meets_criteria" in report_of(operator, mataram, format="csv").text.splitlines()[0]
        printed = report_of(operator, mataram, format="pdf")
        text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(printed.content)).pages)
        assert "Groups ranked" in text and "Evaluation of the groups Kota Mataram" in text

    # scope: another regency's office and a group are refused; a bad period is a 422
    with platform.client(keys["pekanbaru"]["key"]) as elsewhere:
        assert report_of(elsewhere, mataram).status_code == 403
    with platform.client(mataram["operator"]) as operator:
        for bad in ({"to": "2025-13"}, {"to": "1900-01"}, {"months": 37}, {"months": 0}):
            assert operator.get("/api/v1/evaluation/52.71", params=bad).status_code == 422, bad
        assert operator.get("/api/v1/evaluation/52.71.01").status_code == 422
        assert operator.get("/api/v1/evaluation/52.71").status_code == 200  # the last 12 whole months


def test_criteria_are_the_national_admins(platform, mataram):
    with platform.admin as admin:
        defaults = admin.get("/api/v1/evaluation/criteria/52.71").json()
        assert defaults["source"] in ("default", "ID") and set(defaults["criteria"]) == {"berkembang", "maju",
                                                                                        "mandiri"}
        strict = {**defaults["defaults"], "berkembang": {"index": 60, "active_share": 1, "activities": 24}}
        stored = admin.put("/api/v1/evaluation/criteria/52.71", json=strict)
        assert stored.status_code == 200, stored.text
        assert stored.json()["source"] == "52.71" and stored.json()["criteria"]["berkembang"]["index"] == 60
        assert admin.put("/api/v1/evaluation/criteria/52.71", json={**strict, "maju": {"likes": 1}}).status_code \
            == 422
    with platform.client(mataram["operator"]) as operator:
        assert operator.get("/api/v1/evaluation/criteria/52.71").json()["source"] == "52.71"
        assert operator.put("/api/v1/evaluation/criteria/52.71", json=strict).status_code == 403
        group = next(g for g in report_of(operator, mataram).json()["groups"] if g["kim_id"] == mataram["ids"]["A"])
        assert group["next"]["criteria_from"] == "52.71" and not group["next"]["ready"]
    with platform.admin as admin:
        assert admin.delete("/api/v1/evaluation/criteria/52.71").json()["source"] == defaults["source"]
