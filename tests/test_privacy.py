"""Issue 16, personal data under UU 27/2022, end to end on both backends: consent recorded with every
personal field (and an unknown notice version refused, changing nothing); an office finds a person by
phone or e-mail in every service, exports it (JSON and a readable page) and erases it with a reason;
every service follows on events, and afterwards no database of the platform holds the person's phone
or e-mail anywhere, while the records' non-personal facts (an aspiration's status, the figures) stay.
Every view of personal data is in the access log a national admin reads and exports as CSV."""
import csv
import io
import random
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, select

from tests.conftest import wait_for

VILLAGE = "14.71.01.1002"  # Pekanbaru
OTHER_REGENCY = "33.74"  # Semarang
NOTICE = "2026-11"
# big tables of no personal data, not worth reading row by row
SKIPPED = {"regions", "region_counts", "alembic_version", "processed_events"}


def digits_of(text: str) -> str:
    return re.sub(r"\D", "", text)


def databases(platform) -> list[str]:
    """The URL of every database of the platform (the four services' and the gateway's)."""
    if platform.backend == "postgresql":
        return [url.replace("postgresql://", "postgresql+psycopg2://") for name, url in platform.env.items()
                if name.endswith("_DATABASE_URL")]
    return [f"sqlite:///{path}" for path in sorted(Path(platform.env["KIM_DATA_DIR"]).glob("*.db"))]


def where_held(platform, national: str, email: str) -> list[str]:
    """table.column of every value in every database that holds the number (in any spelling) or the
    address (in any case)."""
    found = []
    for url in databases(platform):
        engine = create_engine(url)
        try:
            meta = MetaData()
            meta.reflect(engine)
            with engine.connect() as connection:
                for table in meta.sorted_tables:
                    if table.name in SKIPPED:
                        continue
                    for row in connection.execute(select(table)):
                        for column, value in row._mapping.items():
                            text = str(value)
                            if national in digits_of(text) or email in text.lower():
                                found.append(f"{url.rsplit('/', 1)[-1]}:{table.name}.{column}")
        finally:
            engine.dispose()
    return found


@pytest.fixture(scope="module")
def person(platform):
    """One person held in every service: a group's contact, a member of it, a citizen's aspiration
    (sent with an Idempotency-Key, so the gateway keeps the submission too) and two of the group's
    channels, each under another spelling of the same number."""
    run = uuid.uuid4().hex[:6]
    national = "812" + "".join(random.choices("0123456789", k=8))
    email = f"warga.{run}@contoh.id"
    spelled = {"intl": f"+62 {national[:3]}-{national[3:7]}-{national[7:]}", "local": "0" + national,
               "bare": "62" + national}
    with platform.admin as admin, platform.client() as citizen:
        refused = admin.post("/api/v1/kims", json={
            "name": f"KIM Privasi {run}", "village_code": VILLAGE, "classification": "tumbuh",
            "sk": {"number": f"PDP/{run}", "date": "2024-02-02", "issuer": "Lurah"},
            "contact": {"person": f"Narahubung {run}", "phone": spelled["intl"]}, "consent_version": "1999-01"})
        assert refused.status_code == 422 and "consent_version" in refused.text, refused.text
        kim = admin.post("/api/v1/kims", json={
            "name": f"KIM Privasi {run}", "village_code": VILLAGE, "classification": "tumbuh",
            "sk": {"number": f"PDP/{run}", "date": "2024-02-02", "issuer": "Lurah"},
            "contact": {"person": f"Narahubung {run}", "phone": spelled["intl"], "email": email},
            "consent_version": NOTICE})
        assert kim.status_code == 201, kim.text
        kim_id = kim.json()["id"]
        member = admin.post(f"/api/v1/kims/{kim_id}/members", json={
            "name": f"Anggota {run}", "role": "anggota", "phone": spelled["local"], "consent_version": NOTICE})
        assert member.status_code == 201, member.text
        aspiration = {"kind": "pengaduan", "category": "infrastruktur", "body": f"Jalan rusak di RT 0{run[:1]}.",
                      "village_code": VILLAGE, "submitter": {"name": f"Warga {run}", "phone": spelled["bare"],
                                                             "email": email.upper()}}
        unknown = citizen.post("/api/v1/aspirations", json={**aspiration, "consent_version": "0.9"})
        assert unknown.status_code == 422, unknown.text
        sent = citizen.post("/api/v1/aspirations", json={**aspiration, "consent_version": NOTICE},
                            headers={"Idempotency-Key": f"pdp-{run}"})
        assert sent.status_code == 202, sent.text
        code = sent.json()["tracking_code"]
        wait_for(lambda: citizen.get(f"/api/v1/aspirations/track/{code}").status_code == 200,
                 message="the aspiration taken in")
        channels = [admin.post(f"/api/v1/kims/{kim_id}/channels", json=body) for body in (
            {"kind": "whatsapp", "address": spelled["intl"], "consent_version": NOTICE},
            {"kind": "email", "address": email})]
        assert [c.status_code for c in channels] == [201, 201], [c.text for c in channels]
    return {"run": run, "national": national, "email": email, "spelled": spelled, "kim_id": kim_id,
            "member_id": member.json()["id"], "tracking_code": code,
            "channel_ids": [c.json()["id"] for c in channels]}


def kinds(items) -> set[tuple[str, str]]:
    return {(item["service"], item["kind"]) for item in items}


def test_a_person_is_found_in_every_service_with_the_consent_recorded(platform, person):
    with platform.admin as admin:
        for spelling in person["spelled"].values():
            found = admin.post("/api/v1/privacy/search", json={"phone": spelling})
            assert found.status_code == 200, found.text
            assert kinds(found.json()["items"]) == {("registry", "member"), ("registry", "kim_contact"),
                                                    ("aspirations", "aspiration"), ("channels", "channel")}
        items = {item["kind"]: item for item in found.json()["items"]}
        assert items["member"]["personal"]["name"] == f"Anggota {person['run']}"
        assert items["aspiration"]["facts"]["tracking_code"] == person["tracking_code"]
        consents = {item["kind"]: item["consents"] for item in found.json()["items"]}
        assert [(c["purpose"], c["notice_version"], c["given_by"]) for c in consents["aspiration"]] == [
            ("aspiration_contact", NOTICE, "warga")]
        assert consents["member"][0]["purpose"] == "member_contact" and consents["member"][0]["given_by"].startswith(
            "admin") and sorted(consents["member"][0]["fields"]) == ["name", "phone"]
        assert consents["kim_contact"][0]["purpose"] == "kim_contact"
        assert consents["channel"][0]["purpose"] == "channel_address"
        by_email = admin.post("/api/v1/privacy/search", json={"email": person["email"].title()}).json()["items"]
        assert kinds(by_email) == {("registry", "kim_contact"), ("aspirations", "aspiration"), ("channels", "channel")}

        # the notices the forms show, with the versions the API takes
        notices = admin.get("/api/v1/privacy/notices").json()["items"]
        assert {(n["purpose"], n["version"]) for n in notices if n["current"]} >= {("aspiration_contact", NOTICE)}
        assert admin.post("/api/v1/privacy/search", json={"phone": "x"}).status_code == 422
        assert admin.post("/api/v1/privacy/search", json={"phone": person["spelled"]["local"],
                                                          "email": person["email"]}).status_code == 422
        # another regency's office finds nothing of Pekanbaru's; a group may not search
        operator = admin.post("/api/v1/keys", json={"name": "Operator Semarang", "role": "operator",
                                                    "scope_region": OTHER_REGENCY}).json()["key"]
        group = admin.post("/api/v1/keys", json={"name": "KIM Privasi", "role": "kim",
                                                 "kim_id": person["kim_id"]}).json()["key"]
    with platform.client(operator) as semarang, platform.client(group) as kim:
        assert semarang.post("/api/v1/privacy/search", json={"phone": person["spelled"]["local"]}).json()[
            "items"] == []
        assert kim.post("/api/v1/privacy/search", json={"phone": person["spelled"]["local"]}).status_code == 403
        assert semarang.get("/api/v1/privacy/access-log").status_code == 403


def test_the_export_gives_everything_held_as_json_and_as_a_readable_page(platform, person):
    with platform.admin as admin:
        exported = admin.post("/api/v1/privacy/export", json={"phone": person["spelled"]["intl"]})
        assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
        document = exported.json()
        assert document["total"] == 4 and {n["purpose"] for n in document["notices"]} == {
            "aspiration_contact", "member_contact", "kim_contact", "channel_address"}
        page = admin.post("/api/v1/privacy/export", json={"phone": person["spelled"]["intl"], "format": "html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert f"Anggota {person['run']}" in page.text and person["tracking_code"] in page.text
        assert "Data pribadi yang disimpan" in page.text


def test_every_view_of_personal_data_is_in_the_access_log(platform, person):
    with platform.admin as admin:
        assert admin.get(f"/api/v1/kims/{person['kim_id']}/members").json()["total"] == 1
        admin.post("/api/v1/privacy/search", json={"email": person["email"]})
        entries = [entry for action in ("view_members", "privacy_search") for entry in admin.get(
            "/api/v1/privacy/access-log", params={"action": action, "limit": 500}).json()["items"]]
        assert {(e["action"], e["subject"]) for e in entries} >= {
            ("view_members", f"kim:{person['kim_id']}"), ("privacy_search", "person:email")}
        assert all(e["actor"].startswith(e["role"] + ":") and e["actor_name"] for e in entries)
        assert all(person["national"] not in digits_of(str(e)) and person["email"] not in str(e) for e in entries)
        exported = admin.get("/api/v1/privacy/access-log", params={"format": "csv", "action": "view_members"})
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert any(r["subject"] == f"kim:{person['kim_id']}" for r in rows) and all(
            r["action"] == "view_members" for r in rows)


def test_an_erasure_reaches_every_service_and_leaves_no_trace_in_any_database(platform, person):
    with platform.admin as admin, platform.client() as citizen:
        figures = admin.get("/api/v1/aspirations/stats", params={"region": VILLAGE[:5]}).json()
        assert where_held(platform, person["national"], person["email"])  # the scan sees it before
        asked = admin.post("/api/v1/privacy/erasures", json={"phone": person["spelled"]["local"],
                                                            "reason": "Permintaan subjek data, surat 12/2026"})
        assert asked.status_code == 202, asked.text
        location = asked.headers["location"]
        done = wait_for(lambda: (lambda e: e if e["status"] == "done" else None)(admin.get(location).json()),
                        timeout=60, message="every service's share of the erasure")
        assert set(done["services"]) == {"registry", "aspirations", "channels"} and done["records"] == 4
        assert any(e["id"] == done["id"] for e in admin.get("/api/v1/privacy/erasures").json()["items"])
        # the whatsapp channel went with the number; the mailbox channel is found by its address still
        left = admin.post("/api/v1/privacy/search", json={"email": person["email"]}).json()["items"]
        assert kinds(left) == {("channels", "channel")}
        second = admin.post("/api/v1/privacy/erasures", json={"email": person["email"], "reason": "Permintaan yang sama"})
        wait_for(lambda: admin.get(second.headers["location"]).json()["status"] == "done", timeout=60,
                 message="the e-mail's erasure")
        assert admin.post("/api/v1/privacy/erasures", json={
            "email": person["email"], "reason": "Sekali lagi"}).status_code == 404  # nothing left to erase

        assert where_held(platform, person["national"], person["email"]) == []
        # the facts stay: the aspiration is tracked as before, the figures have not moved
        assert citizen.get(f"/api/v1/aspirations/track/{person['tracking_code']}").json()["status"] == "received"
        assert admin.get("/api/v1/aspirations/stats", params={"region": VILLAGE[:5]}).json()["total"] >= figures["total"]
        assert admin.get(f"/api/v1/kims/{person['kim_id']}").json()["contact"] in ({}, None)
