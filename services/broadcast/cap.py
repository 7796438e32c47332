"""A broadcast as a CAP 1.2 alert (OASIS Common Alerting Protocol, the format
alert hubs and warning systems read), built with the standard library.

What the broadcast gives and how it maps (issue 16):
- identifier: `kim-<broadcast id>-<version>`, stable per broadcast and version
  (CAP forbids spaces, commas, `<` and `&` in it: a UUID and digits have none);
- msgType: Alert for the first version, Update when the broadcast changed,
  Cancel when it was withdrawn; Update and Cancel carry `references` to the
  earlier versions (`sender,identifier,sent` each, CAP 3.2.1);
- category, from the broadcast's category (CATEGORY below);
- urgency, severity, certainty, from the broadcast's priority (PRIORITY below);
- info in id-ID, and in en-US when an English title and body are given;
- one area per target region: areaDesc the region's name (its code when the
  name is not known) and a geocode `KEMENDAGRI` with the region's code.
"""
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
GEOCODE_NAME = "KEMENDAGRI"  # the region codes of Kepmendagri (idn-area-data), e.g. 14.71

# broadcast category -> CAP category. Only `darurat` is published as CAP today; the
# others are mapped so that the table is complete if that changes.
CATEGORY = {
    "darurat": "Safety",  # general emergency and public safety
    "pengumuman": "Other",
    "program": "Other",
    "kebijakan": "Other",
    "klarifikasi": "Other",
}

# broadcast priority -> (urgency, severity, certainty)
PRIORITY = {
    "normal": ("Expected", "Moderate", "Likely"),   # act soon, possible threat to life or property
    "high": ("Expected", "Severe", "Likely"),       # significant threat
    "urgent": ("Immediate", "Extreme", "Observed"),  # act now, extraordinary threat, it is happening
}

MSG_TYPES = ("Alert", "Update", "Cancel")
EVENT = {"id-ID": "Siaran darurat", "en-US": "Emergency broadcast"}
CANCELLED = {"id-ID": "DIBATALKAN: ", "en-US": "WITHDRAWN: "}
# what XML 1.0 cannot carry at all, escaped or not (a broadcast's text may hold control characters):
# dropped, so that a hostile body is text in the alert and never breaks it
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Reference:
    """An earlier alert of the same broadcast that a later one refers to."""
    identifier: str
    sent: datetime


def identifier(broadcast_id: str, version: int) -> str:
    return f"kim-{broadcast_id}-{version}"


def cap_time(moment: datetime) -> str:
    """CAP's dateTime: with its offset, no fractional seconds, never `Z`."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.replace(microsecond=0).isoformat()


def build_alert(broadcast: dict, *, sender: str, sent: datetime, version: int = 1, msg_type: str = "Alert",
                references: list[Reference] | None = None, region_names: dict[str, str] | None = None,
                english: dict | None = None) -> bytes:
    """The CAP 1.2 XML (UTF-8) of a broadcast as the service shows it
    (`broadcast_view`: id, title, body, category, priority, target, expires_at).
    `english`: {"title", "body"} when the broadcast has them."""
    if msg_type not in MSG_TYPES:
        raise ValueError(f"msgType {msg_type!r} is not one of {MSG_TYPES}")
    if msg_type != "Alert" and not references:
        raise ValueError("an Update or a Cancel refers to the earlier alert")
    ET.register_namespace("", CAP_NAMESPACE)

    def sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
        element = ET.SubElement(parent, f"{{{CAP_NAMESPACE}}}{tag}")
        if text is not None:
            element.text = _NOT_XML.sub("", text)
        return element

    alert = ET.Element(f"{{{CAP_NAMESPACE}}}alert")
    sub(alert, "identifier", identifier(broadcast["id"], version))
    sub(alert, "sender", sender)
    sub(alert, "sent", cap_time(sent))
    sub(alert, "status", "Actual")
    sub(alert, "msgType", msg_type)
    sub(alert, "scope", "Public")
    if references:
        sub(alert, "references", " ".join(f"{sender},{r.identifier},{cap_time(r.sent)}" for r in references))

    texts = {"id-ID": (broadcast["title"], broadcast["body"])}
    if english and english.get("title") and english.get("body"):
        texts["en-US"] = (english["title"], english["body"])
    urgency, severity, certainty = PRIORITY[broadcast["priority"]]
    names = region_names or {}
    for language, (title, body) in texts.items():
        info = sub(alert, "info")
        sub(info, "language", language)
        sub(info, "category", CATEGORY[broadcast["category"]])
        sub(info, "event", EVENT[language])
        if msg_type == "Cancel":
            sub(info, "responseType", "AllClear")
        sub(info, "urgency", "Past" if msg_type == "Cancel" else urgency)
        sub(info, "severity", "Minor" if msg_type == "Cancel" else severity)
        sub(info, "certainty", certainty)
        if broadcast.get("expires_at"):
            sub(info, "expires", cap_time(datetime.fromisoformat(broadcast["expires_at"])))
        sub(info, "headline", (CANCELLED[language] if msg_type == "Cancel" else "") + title)
        sub(info, "description", body)
        for code in broadcast["target"]["regions"]:
            area = sub(info, "area")
            sub(area, "areaDesc", names.get(code) or code)
            geocode = sub(area, "geocode")
            sub(geocode, "valueName", GEOCODE_NAME)
            sub(geocode, "value", code)
    return ET.tostring(alert, encoding="utf-8", xml_declaration=True)
