"""/cap/v1: the darurat broadcasts as CAP 1.2 alerts (issue 16), public and
without a key, for the alert hubs that read them: an Atom feed of the current
alerts (the CAP feed convention: one entry per alert, linking to its XML) and
each alert's XML. The broadcast service builds the alerts; the region names of
their areas come from the registry through the gateway's region cache."""
from typing import Annotated
from xml.etree import ElementTree

from fastapi import APIRouter, Path, Request, Response

from services.gateway.deps import RpcCall
from services.gateway.problems import Problem
from services.gateway.routes.common import KnownRegions, problems
from services.gateway.web.feeds import ATOM, EPOCH, xml_text
from services.gateway.web.posts import base_url

router = APIRouter(tags=["cap"])

CAP_CONTENT_TYPE = "application/cap+xml; charset=utf-8"
FEED_CONTENT_TYPE = "application/atom+xml; charset=utf-8"
AlertId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
# alert hubs poll: a minute's caching keeps the load flat and an alert late by a minute at most
CACHE = {"Cache-Control": "public, max-age=60", "X-Content-Type-Options": "nosniff"}
TITLE = {"Alert": "", "Update": "DIPERBARUI: ", "Cancel": "DIBATALKAN: "}


def _add(parent, tag: str, text: str | None = None, **attributes) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def alerts_feed(alerts: list[dict], base: str) -> bytes:
    """An Atom feed (RFC 4287) of alert summaries as the broadcast service gives
    them (`cap_alerts`): an entry per alert version, so a Cancel is a new entry."""
    feed = ElementTree.Element(f"{{{ATOM}}}feed", {"xml:lang": "id"})
    _add(feed, "id", f"{base}/cap/v1/alerts.atom")
    _add(feed, "title", "Peringatan darurat Platform KIM (CAP 1.2)")
    _add(feed, "updated", max((a["sent"] for a in alerts), default=EPOCH))
    _add(feed, "link", rel="self", type="application/atom+xml", href=f"{base}/cap/v1/alerts.atom")
    _add(feed, "generator", "Platform KIM")
    author = _add(feed, "author")
    _add(author, "name", "Platform KIM")
    for alert in alerts:
        entry = _add(feed, "entry")
        _add(entry, "id", f"{base}/cap/v1/alerts/{alert['id']}.xml#{alert['identifier']}")
        _add(entry, "title", TITLE.get(alert["msg_type"], "") + alert["title"], type="text")
        _add(entry, "updated", alert["sent"])
        _add(entry, "link", rel="alternate", type="application/cap+xml", href=f"{base}/cap/v1/alerts/{alert['id']}.xml")
        _add(entry, "category", term=alert["msg_type"])
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


@router.get("/cap/v1/alerts.atom", responses={200: {"content": {"application/atom+xml": {}}}, **problems(503)},
            response_class=Response, summary="The current emergency (darurat) alerts: an Atom feed linking to each "
            "CAP 1.2 alert, one entry per broadcast: its current version (Alert, Update once changed, Cancel once "
            "withdrawn)")
async def alerts_atom(request: Request, rpc: RpcCall):
    alerts = await rpc("broadcast", "cap_alerts")
    return Response(alerts_feed(alerts, base_url(request)), media_type=FEED_CONTENT_TYPE, headers=CACHE)


@router.get("/cap/v1/alerts/{alert_id}.xml", responses={200: {"content": {"application/cap+xml": {}}},
                                                        **problems(404, 422, 503)},
            response_class=Response, summary="One current emergency alert as CAP 1.2 XML (Alert, Update once "
            "changed, Cancel once withdrawn); areas named by region, with their Kemendagri codes")
async def alert_xml(alert_id: AlertId, rpc: RpcCall, regions: KnownRegions):
    current = {a["id"]: a for a in await rpc("broadcast", "cap_alerts")}
    if alert_id not in current:
        raise Problem(404, "Peringatan tidak ditemukan.", "No such alert.")
    names = {}
    for code in current[alert_id]["regions"]:
        try:
            names[code] = (await regions.detail(code))["name"]
        except Problem as problem:  # a region gone from the registry is described by its code
            if problem.status != 404:
                raise
    answer = await rpc("broadcast", "cap_alert", broadcast_id=alert_id, region_names=names)
    return Response(answer["xml"].encode("utf-8"), media_type=CAP_CONTENT_TYPE, headers=CACHE)
