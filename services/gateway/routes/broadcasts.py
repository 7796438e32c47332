"""/api/v1/broadcasts and the groups' inboxes and webhooks. The broadcast
service applies the scope rules to the actor."""
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from services.common.regions import REGION_CODE
from services.common.text import BLANK
from services.common.vocabulary import BROADCAST_CATEGORIES, BROADCAST_PRIORITIES
from services.gateway.deps import Group, Member, Office, RpcCall, actor
from services.gateway.problems import Problem
from services.gateway.routes.common import (
    TEXT,
    Day,
    Flag,
    Integer,
    KnownRegions,
    Moment,
    Pages,
    Regions,
    problems,
)
from services.gateway.routes.kims import TAG, Classification, KimId, Strict

router = APIRouter(tags=["broadcasts"])

BroadcastId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
DeliveryId = Annotated[int, Path(ge=1, le=2**63 - 1)]  # a BIGINT
# http(s), a host name or IPv4 address in ASCII (an IDN in its xn-- form), a port that exists, then
# anything: what every reader of the address (urlsplit, the resolver, requests) reads the same way
WEBHOOK_URL = (r"^https?://[A-Za-z0-9._-]+"
               r"(:([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
               rf"([/?#][^{BLANK}]*)?$")


class Target(Strict):
    regions: list[Annotated[str, Field(pattern=REGION_CODE)]] = Field(min_length=1, max_length=100)
    tags: list[Annotated[str, Field(pattern=TAG)]] = Field(default_factory=list, max_length=20)
    classifications: list[Classification] = Field(default_factory=list)
    include_vakum: Flag = False


def _with(field: str, kind: str) -> dict:
    return {"properties": {field: {"type": kind}}, "required": [field]}


# the English text's rules, stated where a client reads the body's rules: on creation a text in one
# asks for a text in the other; on a change both are sent together, both texts or both null
ENGLISH_ON_CREATE: Any = [{"if": _with("title_en", "string"), "then": _with("body_en", "string")},
                                 {"if": _with("body_en", "string"), "then": _with("title_en", "string")}]
ENGLISH_ON_CHANGE: Any = [
    {"if": {"required": ["title_en"]}, "then": {"required": ["body_en"]}},
    {"if": {"required": ["body_en"]}, "then": {"required": ["title_en"]}},
    {"if": _with("title_en", "string"), "then": {"properties": {"body_en": {"type": "string"}}}},
    {"if": _with("title_en", "null"), "then": {"properties": {"body_en": {"type": "null"}}}}]


class BroadcastCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "title": "Vaksinasi gratis di puskesmas", "body": "Vaksinasi gratis setiap Sabtu bulan Desember.",
        "category": "program", "priority": "high",
        "target": {"regions": ["14.71"], "tags": ["kesehatan"], "classifications": [], "include_vakum": False},
        "expires_at": "2026-12-31T23:59:00+07:00"}], "allOf": ENGLISH_ON_CREATE})
    title: str = Field(min_length=3, max_length=200, pattern=TEXT)
    body: str = Field(min_length=1, max_length=50_000, pattern=TEXT)
    # issue 16: the English text, both or neither (a darurat broadcast's CAP alert then has an en-US info)
    title_en: str | None = Field(None, min_length=3, max_length=200, pattern=TEXT)
    body_en: str | None = Field(None, min_length=1, max_length=50_000, pattern=TEXT)
    category: Literal[BROADCAST_CATEGORIES]
    priority: Literal[BROADCAST_PRIORITIES] = "normal"
    target: Target
    publish_at: Moment | None = None
    expires_at: Moment | None = None

    @model_validator(mode="after")
    def _english_both_or_neither(self):
        if (self.title_en is None) != (self.body_en is None):
            raise english_pair("title_en" if self.title_en is None else "body_en")
        return self


def english_pair(field: str) -> PydanticCustomError:
    # the gateway words the kind in the reader's language and puts it on `field`
    return PydanticCustomError("english_pair", "title_en and body_en: both or neither", {"field": field})


class BroadcastChange(Strict):
    """Only the fields sent change. Before it is sent (a draft, or a scheduled
    broadcast before its time): any of them. Once sent: its content only
    (title, body, title_en, body_en, priority, expires_at); each such change is
    a revision (a darurat broadcast's CAP alert becomes an Update, the groups
    that had it get an `update` message)."""
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"body": "Air sungai naik lagi. Tetap di posko sampai ada pemberitahuan.", "priority": "urgent"},
        {"title_en": "Flood in Pekanbaru", "body_en": "The river is rising. Evacuate to the nearest shelter."}],
        "allOf": ENGLISH_ON_CHANGE, "minProperties": 1})
    # these may be left out, not emptied: their schema has no null, so their type says no None
    # although None is the default (mypy is told so)
    title: str = Field(None, min_length=3, max_length=200, pattern=TEXT)  # type: ignore[assignment]
    body: str = Field(None, min_length=1, max_length=50_000, pattern=TEXT)  # type: ignore[assignment]
    category: Literal[BROADCAST_CATEGORIES] = None
    priority: Literal[BROADCAST_PRIORITIES] = None
    target: Target = None  # type: ignore[assignment]
    # null empties these: no English text (both together), no publish time, no expiry
    title_en: str | None = Field(None, min_length=3, max_length=200, pattern=TEXT)
    body_en: str | None = Field(None, min_length=1, max_length=50_000, pattern=TEXT)
    publish_at: Moment | None = None
    expires_at: Moment | None = None

    @model_validator(mode="after")
    def _something_to_change(self):
        if not self.model_fields_set:
            raise PydanticCustomError("nothing_to_change", "send at least one field", {})
        # sent together: both texts, or both null (no English text)
        english = {"title_en", "body_en"} & self.model_fields_set
        if english and (len(english) == 1 or (self.title_en is None) != (self.body_en is None)):
            raise english_pair("body_en" if "title_en" in english and self.body_en is None else "title_en")
        return self


class TargetPreview(Strict):
    target: Target


class WebhookSet(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"url": "https://kim-maju.example.id/kim-hook"}]})
    url: str = Field(min_length=8, max_length=500, pattern=WEBHOOK_URL)


class RelayReport(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reached": 120, "channel": "whatsapp", "date": "2026-11-28"}]})
    reached: Integer = Field(ge=0, le=100_000, description="people the group passed the message to in this report "
                             "(at most 100,000 per report and 1,000,000 over all reports of one message)")
    channel: str = Field(min_length=2, max_length=30, pattern=TEXT,
                         examples=["whatsapp", "pengeras_suara", "pertemuan"],
                         description="how: whatsapp, pengeras_suara, pertemuan, media_sosial, papan_informasi, ...")
    date: Day


def _wire(body: BaseModel) -> dict:
    return body.model_dump(mode="json")


@router.post("/api/v1/broadcasts", status_code=201, responses=problems(401, 403, 413, 422, 503),
             summary="Compose a broadcast (a draft; the target must lie inside your scope)")
async def create_broadcast(body: BroadcastCreate, caller: Office, rpc: RpcCall, regions: KnownRegions):
    await require_targets(regions, body.target.regions)
    return await rpc("broadcast", "create_broadcast", actor=actor(caller), data=_wire(body))


async def require_targets(regions: Regions, codes: list[str]):
    # the broadcast service knows groups, the registry knows regions: asked here, before anything is stored
    await regions.require(codes, "target.regions", "Wilayah tidak ada: {codes}.", "No such regions: {codes}.",
                          "unknown: {codes}")


@router.post("/api/v1/broadcasts/preview", responses=problems(401, 403, 422, 503),
             summary="How many groups a target selects right now")
async def preview(body: TargetPreview, caller: Office, rpc: RpcCall, regions: KnownRegions):
    await require_targets(regions, body.target.regions)
    return await rpc("broadcast", "count_recipients", actor=actor(caller), target=_wire(body.target))


@router.post("/api/v1/broadcasts/{broadcast_id}/publish", responses=problems(401, 403, 404, 409, 503),
             summary="Publish (now, or at publish_at); publishing twice changes nothing")
async def publish(broadcast_id: BroadcastId, caller: Office, rpc: RpcCall):
    return await rpc("broadcast", "publish", actor=actor(caller), broadcast_id=broadcast_id)


@router.post("/api/v1/broadcasts/{broadcast_id}/withdraw", responses=problems(401, 403, 404, 409, 503),
             summary="Withdraw a broadcast sent by mistake (the office that wrote it or one above): a darurat "
                     "broadcast's CAP alert becomes a Cancel, and each group that had it gets a `withdrawal` message; "
                     "withdrawing twice changes nothing")
async def withdraw(broadcast_id: BroadcastId, caller: Office, rpc: RpcCall):
    return await rpc("broadcast", "withdraw", actor=actor(caller), broadcast_id=broadcast_id)


@router.patch("/api/v1/broadcasts/{broadcast_id}", responses=problems(401, 403, 404, 409, 422, 503),
              summary="Change a broadcast (the office that wrote it or one above): before it is sent any field; once "
                      "sent its content only (title, body, title_en, body_en, priority, expires_at; others 409), each "
                      "change a revision: a darurat broadcast's CAP alert becomes an Update and each group that had it "
                      "gets an `update` message; a withdrawn broadcast 409")
async def change_broadcast(broadcast_id: BroadcastId, body: BroadcastChange, caller: Office, rpc: RpcCall,
                           regions: KnownRegions):
    changes = body.model_dump(mode="json", exclude_unset=True)
    if "target" in changes:
        await require_targets(regions, body.target.regions)
    return await rpc("broadcast", "change_broadcast", actor=actor(caller), broadcast_id=broadcast_id,
                     changes=changes)


@router.get("/api/v1/broadcasts", responses=problems(401, 403, 503), summary="Broadcasts of offices in your scope")
async def list_broadcasts(caller: Office, rpc: RpcCall, paging: Pages):
    result = await rpc("broadcast", "list_broadcasts", actor=actor(caller), limit=paging.limit, offset=paging.offset)
    return paging.page(result["items"], result["total"])


@router.get("/api/v1/broadcasts/{broadcast_id}", responses=problems(401, 404, 503),
            summary="A broadcast with its figures: recipients, delivered, read, acknowledged, relayed, reached, "
                    "failed, overall and per region, and per channel kind (`stats.by_channel`: queued, sent, "
                    "delivered, read, failed, acknowledged, reached, overall and per region; null while the "
                    "channels service is away)")
async def get_broadcast(broadcast_id: BroadcastId, caller: Office, rpc: RpcCall):
    broadcast = await rpc("broadcast", "get_broadcast", actor=actor(caller), broadcast_id=broadcast_id)
    figures = broadcast["stats"]
    regions = figures.get("by_region") or []
    try:
        figures["by_channel"] = await rpc("channels", "broadcast_figures", broadcast_id=broadcast_id,
                                          region_length=len(regions[0]["region"]) if regions else None, timeout=2.0)
    except Problem as problem:
        if problem.status != 503:
            raise
        figures["by_channel"] = None  # the channels service is away: the inbox's figures still count
    return broadcast


@router.get("/api/v1/broadcasts/{broadcast_id}/deliveries", responses=problems(401, 404, 503),
            summary="The broadcast's deliveries, one per group")
async def list_deliveries(broadcast_id: BroadcastId, caller: Office, rpc: RpcCall, paging: Pages):
    result = await rpc("broadcast", "list_deliveries", actor=actor(caller), broadcast_id=broadcast_id,
                       limit=paging.limit, offset=paging.offset)
    return paging.page(result["items"], result["total"])


@router.put("/api/v1/kims/{kim_id}/webhook", tags=["inbox"], responses=problems(401, 403, 404, 422, 503),
            summary="Set the group's push URL; the signing secret is shown in this answer only")
async def set_webhook(kim_id: KimId, body: WebhookSet, caller: Member, rpc: RpcCall):
    return await rpc("broadcast", "set_webhook", actor=actor(caller), kim_id=kim_id, url=body.url)


@router.get("/api/v1/kims/{kim_id}/inbox", tags=["inbox"], responses=problems(401, 403, 404, 503),
            summary="The group's messages, unread first (reading the list marks nothing read)")
async def inbox(kim_id: KimId, caller: Member, rpc: RpcCall, paging: Pages):
    result = await rpc("broadcast", "inbox", actor=actor(caller), kim_id=kim_id, limit=paging.limit,
                       offset=paging.offset)
    return paging.page(result["items"], result["total"])


@router.post("/api/v1/kims/{kim_id}/inbox/{delivery_id}/read", tags=["inbox"],
             responses=problems(401, 403, 404, 503),
             summary="The group opened the message: mark it read (the first time is kept)")
async def mark_read(kim_id: KimId, delivery_id: DeliveryId, caller: Group, rpc: RpcCall):
    return await rpc("broadcast", "mark_read", actor=actor(caller), kim_id=kim_id, delivery_id=delivery_id)


@router.post("/api/v1/kims/{kim_id}/inbox/{delivery_id}/ack", tags=["inbox"],
             responses=problems(401, 403, 404, 503), summary="Acknowledge a message")
async def acknowledge(kim_id: KimId, delivery_id: DeliveryId, caller: Member, rpc: RpcCall):
    return await rpc("broadcast", "acknowledge", actor=actor(caller), kim_id=kim_id, delivery_id=delivery_id)


@router.post("/api/v1/kims/{kim_id}/inbox/{delivery_id}/relay", tags=["inbox"],
             responses=problems(401, 403, 404, 422, 503),
             summary="The group passed the message on: how many people, how, when")
async def relay(kim_id: KimId, delivery_id: DeliveryId, body: RelayReport, caller: Group, rpc: RpcCall):
    return await rpc("broadcast", "relay", actor=actor(caller), kim_id=kim_id, delivery_id=delivery_id,
                     data=_wire(body))
