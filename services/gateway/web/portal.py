"""The group portal (a kim account): the inbox with unread first (a message
is marked read when the group opens it), acknowledging and reporting a relay, activities, aspirations filed for
citizens with their answers, and the group's channels. Every page is the signed-in group's own."""
from datetime import date

from fastapi import APIRouter, Request

from services.common.vocabulary import ACTIVITY_KINDS, CHANNEL_KINDS
from services.gateway.web.api import Api, together
from services.gateway.web.channels import (
    CHANGES,
    add_channel,
    change_channel,
    channel_context,
    channel_errors,
    channel_list,
)
from services.gateway.web.errors import PageError
from services.gateway.web.pages import PAGE_SIZE, GroupMember, form_data, page_offset, redirect, render
from services.gateway.web.public import aspiration_form, aspiration_payload, submission_key

router = APIRouter(prefix="/portal", include_in_schema=False)

CHANNELS = ("whatsapp", "pengeras_suara", "pertemuan", "media_sosial", "papan_informasi", "lainnya")


async def _inbox(request: Request, member, errors: dict | None = None, status_code: int = 200,
                 values: dict | None = None):
    api = Api(request)
    kim_id = member.principal.kim_id
    kim, inbox = await together(
        api.get(f"/api/v1/kims/{kim_id}"),
        api.get(f"/api/v1/kims/{kim_id}/inbox", limit=PAGE_SIZE, offset=page_offset(request)))
    return render(request, "portal/inbox.html", status_code=status_code, kim=kim, inbox=inbox,
                  errors=errors or {}, values=values or {}, channels=CHANNELS, today=date.today().isoformat(),
                  offset=page_offset(request), page_size=PAGE_SIZE)


@router.get("")
async def inbox(request: Request, member: GroupMember):
    return await _inbox(request, member)


async def _message_change(request: Request, member, delivery_id: str, action: str, payload: dict | None):
    path = f"/api/v1/kims/{member.principal.kim_id}/inbox/{delivery_id}/{action}"
    answer = await Api(request).send("POST", path, payload)
    if answer.ok:
        return redirect(request, f"/portal#pesan-{delivery_id}")
    errors = {(f"{delivery_id}:{field}" if field else ""): message for field, message in answer.field_errors().items()}
    return await _inbox(request, member, errors, answer.status, {"delivery": delivery_id, **(payload or {})})


@router.post("/pesan/{delivery_id}/baca")
async def read(request: Request, delivery_id: str, member: GroupMember):
    """The group opens a message: it is marked read and shown in full."""
    await form_data(request)
    return await _message_change(request, member, delivery_id, "read", None)


@router.post("/pesan/{delivery_id}/terima")
async def acknowledge(request: Request, delivery_id: str, member: GroupMember):
    await form_data(request)
    return await _message_change(request, member, delivery_id, "ack", None)


@router.post("/pesan/{delivery_id}/sebar")
async def relay(request: Request, delivery_id: str, member: GroupMember):
    form = await form_data(request)
    channel = form.get("channel") or ""
    if channel == "lainnya" and form.get("channel_other"):
        channel = form.get("channel_other")
    payload = {"reached": form.number("reached"), "channel": channel or None, "date": form.get("date") or None}
    return await _message_change(request, member, delivery_id, "relay", payload)


async def _activities(request: Request, member, values: dict, errors: dict, status_code: int = 200):
    api = Api(request)
    kim_id = member.principal.kim_id
    activities = await api.get(f"/api/v1/kims/{kim_id}/activities", limit=PAGE_SIZE)
    return render(request, "portal/activities.html", status_code=status_code, activities=activities,
                  values=values, errors=errors, kinds=ACTIVITY_KINDS, saved=request.query_params.get("tersimpan"))


@router.get("/kegiatan")
async def activities(request: Request, member: GroupMember):
    return await _activities(request, member, {"date": date.today().isoformat(), "kind": "diseminasi"}, {})


@router.post("/kegiatan")
async def report_activity(request: Request, member: GroupMember):
    form = await form_data(request)
    payload = {"date": form.get("date") or None, "title": form.get("title", ""), "kind": form.get("kind") or None,
               "participants": form.number("participants"), "place": form.get("place") or None,
               "description": form.get("description") or None}
    answer = await Api(request).send("POST", f"/api/v1/kims/{member.principal.kim_id}/activities", payload)
    if answer.ok:
        return redirect(request, "/portal/kegiatan?tersimpan=1")
    return await _activities(request, member, dict(form), answer.field_errors(), answer.status)


async def _aspirations(request: Request, member, values: dict, errors: dict, status_code: int = 200,
                       tracking_code: str | None = None):
    api = Api(request)
    filed = await api.get("/api/v1/aspirations", limit=PAGE_SIZE, offset=page_offset(request))
    return await aspiration_form(request, values, errors, status_code, template="portal/aspirations.html",
                                 filed=filed, tracking_code=tracking_code, offset=page_offset(request),
                                 page_size=PAGE_SIZE)


@router.get("/aspirasi")
async def aspirations(request: Request, member: GroupMember):
    kim = await Api(request).get(f"/api/v1/kims/{member.principal.kim_id}")
    return await _aspirations(request, member, {"village_code": kim["village_code"], "kind": "aspirasi",
                                                "cari": request.query_params.get("cari", "")}, {},
                              tracking_code=request.query_params.get("kode"))


@router.post("/aspirasi")
async def file_aspiration(request: Request, member: GroupMember):
    form = await form_data(request)
    payload = {**aspiration_payload(form), "kim_id": member.principal.kim_id}
    answer = await Api(request).send("POST", "/api/v1/aspirations", payload, headers=submission_key(form))
    if answer.ok:
        return redirect(request, f"/portal/aspirasi?kode={answer.data['tracking_code']}")
    return await _aspirations(request, member, dict(form), answer.field_errors(), answer.status)



def _group_of(member) -> str:
    return member.principal.kim_id  # a kim account always has its group


async def _channels(request: Request, member, values: dict | None = None, errors: dict | None = None,
                    status_code: int = 200, new_channel: dict | None = None):
    channels = await channel_list(Api(request), _group_of(member))
    return render(request, "portal/channels.html", status_code=status_code, values=values or {},
                  errors=errors or {}, channel_kinds=CHANNEL_KINDS, **channel_context(request, channels, new_channel))


@router.get("/saluran")
async def channels(request: Request, member: GroupMember):
    return await _channels(request, member)


@router.post("/saluran")
async def new_channel(request: Request, member: GroupMember):
    """The page itself answers, with the link code: a redirect would lose it (it is shown once)."""
    form = await form_data(request)
    answer = await add_channel(Api(request), _group_of(member), form)
    if answer.ok:
        return await _channels(request, member, new_channel=answer.data)
    return await _channels(request, member, dict(form), channel_errors(answer), answer.status)


@router.post("/saluran/{channel_id}/{change}")
async def channel_change(request: Request, channel_id: str, change: str, member: GroupMember):
    """jeda (pause), lanjut (resume), hapus (remove)."""
    if change not in CHANGES:
        raise PageError(404)
    await form_data(request)
    answer = await change_channel(Api(request), _group_of(member), channel_id, change)
    if answer.ok:
        return redirect(request, "/portal/saluran")
    return await _channels(request, member, errors={"": answer.detail}, status_code=answer.status)
