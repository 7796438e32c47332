"""The hoax clarification loop end to end (issue 15): two groups report the
same rumour, it merges into one case, the office labels it `hoaks` and sends
the clarification to exactly the villages where it was reported, the
reporters find the outcome in their inbox, and `/klarifikasi` (page, API,
Atom feed) shows it; hostile text stays text."""
import uuid
from xml.etree import ElementTree

import pytest

from tests.conftest import wait_for, wait_for_broadcast_directory

HTML = {"Accept": "text/html"}
ATOM = "{http://www.w3.org/2005/Atom}"
VILLAGES = {"A": "14.71.01.1002", "B": "14.71.02.1001", "C": "14.71.01.1005"}  # C reports nothing


@pytest.fixture(scope="module")
def world(platform, keys):
    run = uuid.uuid4().hex[:6]
    ids, group_keys = {}, {}
    with platform.admin as admin:
        for name, village in VILLAGES.items():
            created = admin.post("/api/v1/kims", json={
                "name": f"KIM Hoaks {name} {run}", "village_code": village, "classification": "tumbuh",
                "sk": {"number": f"HOAKS/{run}/{name}", "date": "2024-04-04", "issuer": "Lurah"}})
            assert created.status_code == 201, created.text
            ids[name] = created.json()["id"]
            group_keys[name] = admin.post("/api/v1/keys", json={
                "name": f"KIM Hoaks {name}", "role": "kim", "kim_id": ids[name]}).json()["key"]
        wait_for_broadcast_directory(admin, *ids.values())
    return {"run": run, "ids": ids, "keys": group_keys}


def report(platform, key, text, village, **fields):
    with platform.client(key) as client:
        return wait_for(lambda: (r := client.post("/api/v1/hoax-reports", json={
            "text": text, "seen_on": "grup_whatsapp", "seen_at": "2026-11-27", "village_code": village, **fields}))
            .status_code == 201 and r.json(), message="the aspirations directory")


def test_two_groups_report_a_rumour_the_office_clarifies_it_and_everyone_sees_it(platform, keys, world):
    run = world["run"]
    rumour = f"Vaksin campak {run} di puskesmas mengandung chip pelacak, jangan bawa anak ke posyandu"
    first = report(platform, world["keys"]["A"], rumour, VILLAGES["A"])
    second = report(platform, world["keys"]["B"], rumour.upper() + "!! Sebarkan ke grup lain", VILLAGES["B"],
                    seen_on="facebook")
    # a citizen, without a key or any personal data, with a script in the text
    citizen = report(platform, None, f"<script>alert('x')</script> {rumour}", VILLAGES["A"])
    assert second["merged"] and citizen["merged"] and first["case_id"] == second["case_id"] == citizen["case_id"]
    case_id = first["case_id"]

    with platform.client(keys["pekanbaru"]["key"]) as office:
        listed = office.get("/api/v1/hoax-cases", params={"q": run}).json()
        assert [c["id"] for c in listed["items"]] == [case_id]
        case = office.get(f"/api/v1/hoax-cases/{case_id}").json()
        assert (case["reports"], case["groups"], case["status"]) == (3, 2, "dilaporkan")
        assert case["regions"] == sorted([VILLAGES["A"], VILLAGES["B"]])
        assert {(p["village_code"], p["reports"]) for p in case["map"]} == {(VILLAGES["A"], 2), (VILLAGES["B"], 1)}
        early = office.post(f"/api/v1/hoax-cases/{case_id}/clarification", json={})
        assert early.status_code == 409, early.text  # a verdict first

        hostile = f'Vaksin <script>alert("x")</script> & "chip" ]]> {run}'
        labelled = office.post(f"/api/v1/hoax-cases/{case_id}/label", json={
            "label": "hoaks", "title": hostile,
            "explanation": "Dinas Kesehatan memastikan vaksin campak aman; tidak ada chip <b>apa pun</b>.",
            "sources": ["https://dinkes.example.id/vaksin"]})
        assert labelled.status_code == 200 and labelled.json()["status"] == "dilabeli", labelled.text
        assert office.post(f"/api/v1/hoax-cases/{case_id}/label", json={
            "label": "hoaks", "title": "Judul", "explanation": "Penjelasan cukup panjang.",
            "sources": ["javascript:alert(1)"]}).status_code == 422

        sent = office.post(f"/api/v1/hoax-cases/{case_id}/clarification", json={})
        assert sent.status_code == 201, sent.text
        broadcast = sent.json()["broadcast"]
        assert broadcast["category"] == "klarifikasi"
        assert broadcast["target"]["regions"] == sorted([VILLAGES["A"], VILLAGES["B"]])  # exactly those villages
        assert sent.json()["case"]["broadcast_id"] == broadcast["id"]
        assert sent.json()["case"]["status"] == "diklarifikasi"
        again = office.post(f"/api/v1/hoax-cases/{case_id}/clarification", json={})
        assert again.status_code == 409 and again.json()["broadcast_id"] == broadcast["id"]

    def inbox(name):
        with platform.client(world["keys"][name]) as group:
            return group.get(f"/api/v1/kims/{world['ids'][name]}/inbox", params={"limit": 500}).json()["items"]

    for name in ("A", "B"):
        def arrived(name=name):
            items = inbox(name)
            outcome = [d for d in items if d["kind"] == "hoax_outcome" and d["message"]["case_id"] == case_id]
            clarification = [d for d in items if d["broadcast_id"] == broadcast["id"]]
            return (outcome, clarification) if outcome and clarification else None
        outcome, _ = wait_for(arrived, message=f"group {name}'s outcome and clarification")
        assert len(outcome) == 1 and outcome[0]["message"]["label"] == "hoaks"
        assert outcome[0]["message"]["title"] == hostile
    # the bystander's village was not reported: no clarification there (the fan-out is done by now)
    with platform.client(keys["pekanbaru"]["key"]) as office:
        wait_for(lambda: office.get(f"/api/v1/broadcasts/{broadcast['id']}").json()["status"] == "published",
                 message="the fan-out")
        reached = office.get(f"/api/v1/broadcasts/{broadcast['id']}/deliveries", params={"limit": 500}).json()
    assert world["ids"]["C"] not in {d["kim_id"] for d in reached["items"]}
    assert {world["ids"]["A"], world["ids"]["B"]} <= {d["kim_id"] for d in reached["items"]}
    assert not [d for d in inbox("C") if d["broadcast_id"] == broadcast["id"] or d["kind"] == "hoax_outcome"]

    with platform.client() as anyone:
        public = anyone.get("/api/v1/public/klarifikasi", params={"q": run}).json()
        assert [c["id"] for c in public["items"]] == [case_id]
        assert public["items"][0]["regencies"] == ["14.71"] and public["items"][0]["label"] == "hoaks"
        assert rumour not in str(public) and world["ids"]["A"] not in str(public)  # the office's words only
        page = anyone.get("/klarifikasi", params={"q": run}, headers=HTML)
        assert page.status_code == 200 and "&lt;script&gt;alert(" in page.text and "<script>alert(" not in page.text
        detail = anyone.get(f"/klarifikasi/{case_id}", headers=HTML)
        assert "Hoaks" in detail.text and "&lt;b&gt;apa pun&lt;/b&gt;" in detail.text and "<b>apa" not in detail.text
        feed = anyone.get("/klarifikasi/feed.atom")
        assert feed.headers["content-type"].startswith("application/atom+xml")
        assert "<script>" not in feed.text
        entries = {e.find(f"{ATOM}id").text: e for e in ElementTree.fromstring(feed.content).iter(f"{ATOM}entry")}
        assert entries[f"urn:uuid:{case_id}"].find(f"{ATOM}title").text == f"Hoaks: {hostile}"


def test_bad_reports_are_refused(platform, world):
    with platform.client() as anyone:
        base = {"text": "Kabar yang cukup panjang", "seen_on": "grup_whatsapp", "village_code": VILLAGES["A"]}
        for change in ({"link": "javascript:alert(1)"}, {"seen_on": "telepati"}, {"text": "a\x00b kabar"},
                       {"village_code": "99.99.99.9999"}, {"contact": "+62 812 0000 0000"}):
            refused = anyone.post("/api/v1/hoax-reports", json={**base, **change})
            assert refused.status_code == 422, (change, refused.text)
        assert anyone.get("/api/v1/hoax-cases").status_code == 401
        assert anyone.get(f"/klarifikasi/{uuid.uuid4()}", headers=HTML).status_code == 404
