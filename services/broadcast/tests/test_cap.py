"""The CAP 1.2 builder: every variant it produces (Alert, Update, Cancel, with
and without en-US) validates against the official OASIS schema, read by
xmlschema, an independent XML-schema library."""
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import xmlschema

from services.broadcast import cap

SCHEMA = xmlschema.XMLSchema(Path(__file__).resolve().parents[3] / "tests" / "cap" / "CAP-v1.2.xsd")
NS = {"cap": cap.CAP_NAMESPACE}
SENT = datetime(2026, 11, 29, 9, 30, 15, 123456, tzinfo=UTC)
BROADCAST = {
    "id": "0b0e6a4e-7d7b-4c38-9a0c-5f1f2f3a4b5c", "title": "Banjir di Pekanbaru",
    "body": "Air sungai naik. Warga di bantaran sungai diminta mengungsi ke posko terdekat.",
    "category": "darurat", "priority": "urgent", "target": {"regions": ["14.71", "14.71.01"]},
    "expires_at": "2026-11-30T09:00:00+00:00",
}
ENGLISH = {"title": "Flood in Pekanbaru", "body": "The river is rising. Residents on its banks should evacuate."}
FIRST = cap.Reference(cap.identifier(BROADCAST["id"], 1), SENT)

VARIANTS = {
    "alert": {},
    "alert-en": {"english": ENGLISH},
    "update": {"version": 2, "msg_type": "Update", "references": [FIRST]},
    "update-en": {"version": 2, "msg_type": "Update", "references": [FIRST], "english": ENGLISH},
    "cancel": {"version": 2, "msg_type": "Cancel", "references": [FIRST]},
    "cancel-en": {"version": 3, "msg_type": "Cancel", "english": ENGLISH,
                  "references": [FIRST, cap.Reference(cap.identifier(BROADCAST["id"], 2), SENT)]},
}


def build(**options) -> bytes:
    return cap.build_alert(BROADCAST, sender="diskominfo@kim.go.id", sent=SENT,
                           region_names={"14.71": "Kota Pekanbaru"}, **options)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_variant_validates_against_the_cap_schema(variant):
    SCHEMA.validate(build(**VARIANTS[variant]))


def test_an_alert_carries_the_broadcast():
    alert = ET.fromstring(build())
    assert alert.findtext("cap:identifier", namespaces=NS) == f"kim-{BROADCAST['id']}-1"
    assert alert.findtext("cap:sender", namespaces=NS) == "diskominfo@kim.go.id"
    assert alert.findtext("cap:sent", namespaces=NS) == "2026-11-29T09:30:15+00:00"
    assert [alert.findtext(f"cap:{tag}", namespaces=NS) for tag in ("status", "msgType", "scope")] == [
        "Actual", "Alert", "Public"]
    assert alert.find("cap:references", NS) is None
    [info] = alert.findall("cap:info", NS)
    assert [info.findtext(f"cap:{tag}", namespaces=NS) for tag in (
        "language", "category", "urgency", "severity", "certainty", "headline", "description", "expires")] == [
        "id-ID", "Safety", "Immediate", "Extreme", "Observed", BROADCAST["title"], BROADCAST["body"],
        "2026-11-30T09:00:00+00:00"]
    areas = [(a.findtext("cap:areaDesc", namespaces=NS), a.findtext("cap:geocode/cap:valueName", namespaces=NS),
              a.findtext("cap:geocode/cap:value", namespaces=NS)) for a in info.findall("cap:area", NS)]
    # a region whose name is not known is described by its code
    assert areas == [("Kota Pekanbaru", "KEMENDAGRI", "14.71"), ("14.71.01", "KEMENDAGRI", "14.71.01")]


def test_english_is_a_second_info_only_when_given():
    languages = [i.findtext("cap:language", namespaces=NS) for i in ET.fromstring(build(english=ENGLISH))
                 .findall("cap:info", NS)]
    assert languages == ["id-ID", "en-US"]
    assert len(ET.fromstring(build(english={"title": "Only a title"})).findall("cap:info", NS)) == 1


def test_a_cancel_refers_to_the_earlier_alert():
    alert = ET.fromstring(build(version=2, msg_type="Cancel", references=[FIRST]))
    assert alert.findtext("cap:identifier", namespaces=NS) == f"kim-{BROADCAST['id']}-2"
    assert alert.findtext("cap:msgType", namespaces=NS) == "Cancel"
    assert alert.findtext("cap:references", namespaces=NS) == (
        f"diskominfo@kim.go.id,kim-{BROADCAST['id']}-1,2026-11-29T09:30:15+00:00")
    assert alert.findtext("cap:info/cap:headline", namespaces=NS).startswith("DIBATALKAN: ")
    with pytest.raises(ValueError):
        build(msg_type="Cancel")


@pytest.mark.parametrize("priority", sorted(cap.PRIORITY))
def test_every_priority_and_a_local_time_validate(priority):
    local = SENT.astimezone(timezone(timedelta(hours=7)))
    xml = cap.build_alert({**BROADCAST, "priority": priority, "expires_at": None}, sender="x@kim.go.id", sent=local)
    SCHEMA.validate(xml)
    assert ET.fromstring(xml).findtext("cap:sent", namespaces=NS) == "2026-11-29T09:30:15+00:00"


def test_every_broadcast_category_is_mapped():
    from services.common.vocabulary import BROADCAST_CATEGORIES
    assert set(cap.CATEGORY) == set(BROADCAST_CATEGORIES)


def test_text_xml_cannot_carry_is_dropped_and_markup_stays_text():
    hostile = {**BROADCAST, "title": "Banjir\x01\x0b <b>&", "body": "</description><x/>\x1f"}
    xml = cap.build_alert(hostile, sender="x@kim.go.id", sent=SENT)
    SCHEMA.validate(xml)
    alert = ET.fromstring(xml)
    assert alert.findtext("cap:info/cap:headline", namespaces=NS) == "Banjir <b>&"
    assert alert.findtext("cap:info/cap:description", namespaces=NS) == "</description><x/>"
