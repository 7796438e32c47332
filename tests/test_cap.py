"""Issue 16 end to end: a darurat broadcast is published as a CAP 1.2 alert,
in the public Atom feed and as XML that validates against the official OASIS
schema (tests/cap/); changed, its feed entry is an Update and the group that
had it finds an `update` message in its inbox; withdrawn, its feed entry is
the Cancel and the group finds a `withdrawal` message."""
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import xmlschema

from tests.conftest import wait_for, wait_for_broadcast_directory

SCHEMA = xmlschema.XMLSchema(Path(__file__).resolve().parent / "cap" / "CAP-v1.2.xsd")
ATOM = {"atom": "http://www.w3.org/2005/Atom"}
CAP = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
VILLAGE = "14.71.01.1002"


def entry_of(anyone, broadcast_id: str, msg_type: str):
    feed = anyone.get("/cap/v1/alerts.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml"), feed.text
    for entry in ET.fromstring(feed.content).findall("atom:entry", ATOM):
        link = entry.find("atom:link", ATOM).get("href")
        if link.endswith(f"/{broadcast_id}.xml") and entry.find("atom:category", ATOM).get("term") == msg_type:
            return link
    return None


def alert(anyone, link: str) -> ET.Element:
    answer = anyone.get(urlsplit(link).path)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/cap+xml"), answer.text
    SCHEMA.validate(answer.content)
    return ET.fromstring(answer.content)


def test_a_darurat_broadcast_is_a_cap_alert_until_it_is_withdrawn(platform):
    run = uuid.uuid4().hex[:6]
    with platform.admin as admin, platform.client() as anyone:
        kim = admin.post("/api/v1/kims", json={
            "name": f"KIM Siaga {run}", "village_code": VILLAGE, "classification": "tumbuh",
            "sk": {"number": f"SIAGA/{run}", "date": "2024-03-03", "issuer": "Lurah"}})
        assert kim.status_code == 201, kim.text
        kim_id = kim.json()["id"]
        target = {"regions": [VILLAGE]}
        wait_for_broadcast_directory(admin, kim_id)
        created = admin.post("/api/v1/broadcasts", json={
            "title": f"Banjir {run}", "body": "Air sungai naik. Mengungsi ke posko terdekat.",
            "category": "darurat", "priority": "urgent", "target": target})
        assert created.status_code == 201, created.text
        broadcast_id = created.json()["id"]
        assert anyone.get(f"/cap/v1/alerts/{broadcast_id}.xml").status_code == 404  # a draft is no alert
        assert admin.post(f"/api/v1/broadcasts/{broadcast_id}/publish").status_code == 200

        link = wait_for(lambda: entry_of(anyone, broadcast_id, "Alert"), message="the alert in the feed")
        first = alert(anyone, link)
        assert first.findtext("cap:msgType", namespaces=CAP) == "Alert"
        assert first.findtext("cap:info/cap:headline", namespaces=CAP) == f"Banjir {run}"
        area = first.find("cap:info/cap:area", CAP)
        assert area.findtext("cap:geocode/cap:value", namespaces=CAP) == VILLAGE
        assert area.findtext("cap:areaDesc", namespaces=CAP) not in ("", VILLAGE)  # the village's name

        wait_for(lambda: any(d["broadcast_id"] == broadcast_id for d in admin.get(
            f"/api/v1/kims/{kim_id}/inbox").json()["items"]), message="the broadcast in the group's inbox")
        withdrawn = admin.post(f"/api/v1/broadcasts/{broadcast_id}/withdraw")
        assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn", withdrawn.text
        cancel = alert(anyone, wait_for(lambda: entry_of(anyone, broadcast_id, "Cancel"),
                                        message="the Cancel in the feed"))
        assert cancel.findtext("cap:references", namespaces=CAP).split(",")[1] == first.findtext(
            "cap:identifier", namespaces=CAP)
        assert entry_of(anyone, broadcast_id, "Alert") is None
        wait_for(lambda: any(d["kind"] == "withdrawal" and d["message"]["broadcast_id"] == broadcast_id
                             for d in admin.get(f"/api/v1/kims/{kim_id}/inbox").json()["items"]),
                 message="the withdrawal in the group's inbox")


def references(document: ET.Element) -> list[str]:
    """The identifiers an alert refers to (`sender,identifier,sent` each, space-separated)."""
    return [reference.split(",")[1] for reference in document.findtext("cap:references", namespaces=CAP).split()]


def test_a_changed_darurat_broadcast_is_an_update_with_its_english_text(platform):
    run = uuid.uuid4().hex[:6]
    with platform.admin as admin, platform.client() as anyone:
        kim = admin.post("/api/v1/kims", json={
            "name": f"KIM Siaga Ubah {run}", "village_code": VILLAGE, "classification": "tumbuh",
            "sk": {"number": f"SIAGA/UBAH/{run}", "date": "2024-03-03", "issuer": "Lurah"}})
        assert kim.status_code == 201, kim.text
        kim_id = kim.json()["id"]
        wait_for_broadcast_directory(admin, kim_id)
        created = admin.post("/api/v1/broadcasts", json={
            "title": f"Banjir {run}", "body": "Air sungai naik. Mengungsi ke posko terdekat.",
            "title_en": f"Flood {run}", "body_en": "The river is rising. Evacuate to the nearest shelter.",
            "category": "darurat", "priority": "high", "target": {"regions": [VILLAGE]}})
        assert created.status_code == 201 and created.json()["title_en"] == f"Flood {run}", created.text
        broadcast_id = created.json()["id"]
        assert admin.post(f"/api/v1/broadcasts/{broadcast_id}/publish").status_code == 200

        first = alert(anyone, wait_for(lambda: entry_of(anyone, broadcast_id, "Alert"), timeout=60,
                                       message="the alert in the feed"))
        english = first.findall("cap:info", CAP)[1]
        assert english.findtext("cap:language", namespaces=CAP) == "en-US"
        assert english.findtext("cap:headline", namespaces=CAP) == f"Flood {run}"
        wait_for(lambda: any(d["broadcast_id"] == broadcast_id for d in admin.get(
            f"/api/v1/kims/{kim_id}/inbox").json()["items"]), timeout=60,
            message="the broadcast in the group's inbox")

        refused = admin.patch(f"/api/v1/broadcasts/{broadcast_id}", json={"category": "pengumuman"})
        assert refused.status_code == 409 and refused.json()["fields"] == ["category"], refused.text
        changed = admin.patch(f"/api/v1/broadcasts/{broadcast_id}", json={
            "body": "Air sungai naik lagi. Tetap di posko.", "priority": "urgent"})
        assert changed.status_code == 200 and len(changed.json()["revisions"]) == 1, changed.text

        update = alert(anyone, wait_for(lambda: entry_of(anyone, broadcast_id, "Update"), timeout=60,
                                        message="the update in the feed"))
        assert update.findtext("cap:identifier", namespaces=CAP) == f"kim-{broadcast_id}-2"
        assert update.findtext("cap:references", namespaces=CAP) == ",".join((
            first.findtext("cap:sender", namespaces=CAP), first.findtext("cap:identifier", namespaces=CAP),
            first.findtext("cap:sent", namespaces=CAP)))
        assert update.findtext("cap:info/cap:description", namespaces=CAP) == "Air sungai naik lagi. Tetap di posko."
        assert len(update.findall("cap:info", CAP)) == 2
        assert entry_of(anyone, broadcast_id, "Alert") is None
        told = wait_for(lambda: next((d for d in admin.get(f"/api/v1/kims/{kim_id}/inbox").json()["items"]
                                      if d["kind"] == "update" and d["message"]["broadcast_id"] == broadcast_id),
                                     None), timeout=60, message="the update in the group's inbox")
        assert told["message"]["body"] == "Air sungai naik lagi. Tetap di posko."

        assert admin.post(f"/api/v1/broadcasts/{broadcast_id}/withdraw").status_code == 200
        cancel = alert(anyone, wait_for(lambda: entry_of(anyone, broadcast_id, "Cancel"), timeout=60,
                                        message="the Cancel in the feed"))
        assert references(cancel) == [f"kim-{broadcast_id}-1", f"kim-{broadcast_id}-2"]
        assert admin.patch(f"/api/v1/broadcasts/{broadcast_id}", json={"title": "Lagi"}).status_code == 409
