"""A group's channels (Telegram, WhatsApp, SMS, e-mail) and the providers' callbacks.

The channels service owns the channels; the gateway checks who may manage a group's channels by
asking the registry for the group as the caller (an office within its scope, the group itself),
and passes the group's village on. The callbacks check each provider's own proof (Telegram's
secret-token header, WhatsApp's `X-Hub-Signature-256`, a shared secret in Kannel's URLs) and put what
arrived, as it arrived, on the durable queue `channels.inbound`, so nothing is lost while the
channels service is down; they answer once the broker confirmed it."""
import hashlib
import hmac
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import Field

from services.common.events import utcnow
from services.common.vocabulary import CHANNEL_KINDS, CHANNEL_STATES
from services.gateway.access_log import log_access
from services.gateway.deps import Member, RpcCall, actor
from services.gateway.problems import Problem
from services.gateway.routes.common import notice_version, problems
from services.gateway.routes.kims import KimId, Strict
from services.gateway.web.pages import render

router = APIRouter(tags=["channels"])

INBOUND_QUEUE = "channels.inbound"
ChannelId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
Kind = Literal[CHANNEL_KINDS]
CODE = r"^[A-Za-z0-9 -]{4,20}$"
TOKEN = r"^[A-Za-z0-9_-]{16,64}$"
TEXT_ANSWER: dict[int | str, dict[str, Any]] = {200: {"content": {"text/plain": {"schema": {"type": "string"}}}}}


class ChannelCreate(Strict):
    kind: Kind
    address: str | None = Field(None, min_length=3, max_length=320,
                                description="the phone number (whatsapp, sms) or e-mail address; none for telegram")
    consent_version: notice_version("channel_address") = None


class ChannelChange(Strict):
    state: Literal[CHANNEL_STATES] = Field(
        description="`paused` pauses a live channel, `live` resumes a paused one; `pending` (waiting for its "
                    "code) and `stopped` (the group sent BERHENTI) are not set by hand: 409")


async def _group(rpc, caller, kim_id: str) -> dict:
    """The group, if the caller may manage it (else the registry's 403 or 404)."""
    return await rpc("registry", "get_kim", actor=actor(caller), kim_id=kim_id)


@router.post("/api/v1/kims/{kim_id}/channels", status_code=201, responses=problems(401, 403, 404, 409, 422, 503),
             summary="Link a channel: answers a one-time link_code and how to use it")
async def create_channel(kim_id: KimId, body: ChannelCreate, caller: Member, rpc: RpcCall):
    kim = await _group(rpc, caller, kim_id)
    return await rpc("channels", "create_channel", kim_id=kim["id"], village_code=kim["village_code"],
                     data=body.model_dump(), created_by=f"{caller.role}:{caller.key_id}")


@router.get("/api/v1/kims/{kim_id}/channels", responses=problems(401, 403, 404, 503),
            summary="The group's channels, their state and last error")
async def list_channels(kim_id: KimId, caller: Member, rpc: RpcCall, request: Request):
    kim = await _group(rpc, caller, kim_id)
    result = await rpc("channels", "list_channels", kim_id=kim["id"])
    await log_access(request, caller, "view_channels", f"kim:{kim_id}",
                     sum(1 for channel in result["items"] if channel.get("address")))
    return result


@router.patch("/api/v1/kims/{kim_id}/channels/{channel_id}", responses=problems(401, 403, 404, 409, 422, 503),
              summary="Pause or resume a channel")
async def change_channel(kim_id: KimId, channel_id: ChannelId, body: ChannelChange, caller: Member, rpc: RpcCall):
    kim = await _group(rpc, caller, kim_id)
    return await rpc("channels", "change_channel", kim_id=kim["id"], channel_id=channel_id, state=body.state)


@router.delete("/api/v1/kims/{kim_id}/channels/{channel_id}", status_code=204,
               responses=problems(401, 403, 404, 503), summary="Remove a channel: nothing more is sent to it")
async def remove_channel(kim_id: KimId, channel_id: ChannelId, caller: Member, rpc: RpcCall):
    kim = await _group(rpc, caller, kim_id)
    await rpc("channels", "remove_channel", kim_id=kim["id"], channel_id=channel_id)
    return Response(status_code=204)


# --- the providers' callbacks ---------------------------------------------------------------

async def _take_in(rpc, kind: str, what: str, payload) -> None:
    await rpc.send_command(INBOUND_QUEUE, {"type": "channel_inbound", "id": str(uuid.uuid4()), "kind": kind,
                                           "what": what, "received_at": utcnow().isoformat(), "payload": payload})


def _same(offered: str | None, expected: str) -> bool:
    return offered is not None and hmac.compare_digest(offered.encode(), expected.encode())


def _off(kind: str) -> Problem:
    return Problem(404, f"Saluran {kind} tidak diaktifkan di platform ini.", f"{kind} is not set up here.")


FORGED = ("Tanda tangan tidak sah.", "The signature is not valid.")


@router.post("/channels/telegram/webhook", responses={**problems(400, 401, 404, 413, 503),
                                                       200: {"content": {"application/json": {}}}},
             summary="Telegram's updates (header X-Telegram-Bot-Api-Secret-Token)")
async def telegram_webhook(request: Request, rpc: RpcCall,
                           secret: Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = None):
    expected = request.app.state.settings.telegram_webhook_secret
    if not expected:
        raise _off("Telegram")
    if not _same(secret, expected):
        raise Problem(401, *FORGED)
    update = await _json_body(request)
    await _take_in(rpc, "telegram", "update", update)
    return {"ok": True}


@router.get("/channels/whatsapp/webhook", response_class=PlainTextResponse,
            responses={**problems(403, 404), **TEXT_ANSWER},
            summary="WhatsApp's subscription check: answers hub.challenge to the right verify token")
async def whatsapp_verify(request: Request, mode: Annotated[str | None, Query(alias="hub.mode")] = None,
                          token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
                          challenge: Annotated[str | None, Query(alias="hub.challenge", max_length=200)] = None):
    expected = request.app.state.settings.whatsapp_verify_token
    if not expected:
        raise _off("WhatsApp")
    if mode != "subscribe" or not _same(token, expected) or challenge is None:
        raise Problem(403, "Token verifikasi salah.", "Wrong verify token.")
    return PlainTextResponse(challenge)


@router.post("/channels/whatsapp/webhook", responses={**problems(400, 401, 404, 413, 503),
                                                       200: {"content": {"application/json": {}}}},
             summary="WhatsApp's messages and statuses (header X-Hub-Signature-256)")
async def whatsapp_webhook(request: Request, rpc: RpcCall,
                           signature: Annotated[str | None, Header(alias="X-Hub-Signature-256")] = None):
    secret = request.app.state.settings.whatsapp_app_secret
    if not secret:
        raise _off("WhatsApp")
    raw = await request.body()
    expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    if not _same(signature, expected):
        raise Problem(401, *FORGED)
    await _take_in(rpc, "whatsapp", "webhook", await _json_body(request))
    return {"ok": True}


def _kannel(request: Request, secret: str | None):
    expected = request.app.state.settings.kannel_callback_secret
    if not expected:
        raise _off("SMS")
    if not _same(secret, expected):
        raise Problem(401, *FORGED)


SMS_PARAMS = 20  # Kannel sends a handful of parameters; more is not Kannel


@router.get("/channels/sms/mo", response_class=PlainTextResponse,
            responses={**problems(401, 404, 422, 503), **TEXT_ANSWER},
            summary="Kannel's get-url for a text message received (MO); answers nothing to send back")
async def sms_mo(request: Request, rpc: RpcCall, secret: Annotated[str | None, Query(max_length=200)] = None):
    _kannel(request, secret)
    await _take_in(rpc, "sms", "mo", _params(request))
    return PlainTextResponse("")


@router.get("/channels/sms/dlr", response_class=PlainTextResponse,
            responses={**problems(401, 404, 422, 503), **TEXT_ANSWER},
            summary="Kannel's delivery report for a text message we sent")
async def sms_dlr(request: Request, rpc: RpcCall, secret: Annotated[str | None, Query(max_length=200)] = None):
    _kannel(request, secret)
    await _take_in(rpc, "sms", "dlr", _params(request))
    return PlainTextResponse("")


def _params(request: Request) -> dict:
    params = {k: v[:2000] for k, v in request.query_params.items() if k != "secret"}
    if len(params) > SMS_PARAMS:
        raise Problem(422, "Terlalu banyak parameter.", "Too many parameters.")
    return params


async def _json_body(request: Request):
    import json
    try:
        payload = json.loads(await request.body())
    except ValueError:
        raise Problem(400, "Badan permintaan bukan JSON.", "The body is not JSON.") from None
    if not isinstance(payload, dict):
        raise Problem(400, "Badan permintaan harus objek JSON.", "The body must be a JSON object.")
    return payload


# --- e-mail: the address's owner confirms, or unsubscribes, by the link in a mail ---------------

PAGE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {"schema": {"type": "string"}}}}}
# a code or token that no longer works is a page too (404), for the person who clicked the link
PAGE_AND_PROBLEMS: dict[int | str, dict[str, Any]] = {**problems(422, 503), **PAGE,
                                                      404: {"content": {"text/html": {}}}}


def _mail_page(request: Request, action: str, code: str | None = None, token: str | None = None,
               done: bool = False, refused: bool = False):
    return render(request, "channel_email.html", status_code=404 if refused else 200, action=action, code=code,
                  token=token, done=done, refused=refused)


async def _mail_link(request: Request, rpc, action: str, method: str, **argument):
    """What the button of a mail's link does: a code or token that works for nobody is a page (404)."""
    try:
        await rpc("channels", method, **argument)
    except Problem as problem:
        if problem.status != 404:
            raise
        return _mail_page(request, action, **argument, refused=True)
    return _mail_page(request, action, **argument, done=True)


@router.get("/channels/email/confirm", response_class=HTMLResponse, responses=PAGE_AND_PROBLEMS,
            summary="The page of the link in a confirmation mail: a button confirms (a mail scanner's visit does not)")
async def email_confirm_page(request: Request, code: Annotated[str, Query(pattern=CODE)]):
    return _mail_page(request, "confirm", code=code)


@router.post("/channels/email/confirm", response_class=HTMLResponse, responses=PAGE_AND_PROBLEMS,
             summary="Confirm an e-mail channel with the code of its confirmation mail")
async def email_confirm(request: Request, rpc: RpcCall, code: Annotated[str, Query(pattern=CODE)]):
    return await _mail_link(request, rpc, "confirm", "confirm_email", code=code)


@router.get("/channels/email/unsubscribe", response_class=HTMLResponse, responses=PAGE_AND_PROBLEMS,
            summary="The page of a mail's unsubscribe link")
async def email_unsubscribe_page(request: Request, token: Annotated[str, Query(pattern=TOKEN)]):
    return _mail_page(request, "unsubscribe", token=token)


@router.post("/channels/email/unsubscribe", response_class=HTMLResponse, responses=PAGE_AND_PROBLEMS,
             summary="Unsubscribe: the button of that page, or a mail program's one-click (RFC 8058)")
async def email_unsubscribe(request: Request, rpc: RpcCall, token: Annotated[str, Query(pattern=TOKEN)]):
    return await _mail_link(request, rpc, "unsubscribe", "unsubscribe", token=token)
