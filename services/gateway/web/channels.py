"""A group's channels (Telegram, WhatsApp, SMS, e-mail) on the website: the console's group page
and the portal's own page list them with their state and last error, add one, pause, resume and
remove one. Both go through the same API; only the addresses of their forms differ."""
from services.common.vocabulary import CHANNEL_STATES
from services.gateway.web.api import Api
from services.gateway.web.errors import PageError
from services.gateway.web.i18n import language
from services.gateway.web.pages import consent

CHANGES = {"jeda": ("PATCH", {"state": "paused"}), "lanjut": ("PATCH", {"state": "live"}), "hapus": ("DELETE", None)}


def channels_path(kim_id: str, channel_id: str | None = None) -> str:
    return f"/api/v1/kims/{kim_id}/channels" + (f"/{channel_id}" if channel_id else "")


async def channel_list(api: Api, kim_id: str) -> list[dict] | None:
    """The group's channels; None while the channels service does not answer (the rest of the
    page still shows, with a line saying the channels are unavailable)."""
    try:
        answer = await api.call("GET", channels_path(kim_id))
    except PageError:
        return None
    return answer.data["items"] if answer.ok else None


def channel_payload(form) -> dict:
    return {"kind": form.get("kind") or None, "address": form.get("address") or None, **consent(form)}


async def add_channel(api: Api, kim_id: str, form):
    return await api.send("POST", channels_path(kim_id), channel_payload(form))


def channel_errors(answer) -> dict[str, str]:
    """A refused new channel's problems, keyed as the add form names its fields (saluran:kind)."""
    return {(f"saluran:{field}" if field else ""): message for field, message in answer.field_errors().items()}


async def change_channel(api: Api, kim_id: str, channel_id: str, change: str):
    """`jeda` (pause), `lanjut` (resume) or `hapus` (remove): the API's answer."""
    method, payload = CHANGES[change]
    return await api.send(method, channels_path(kim_id, channel_id), payload)


def state_labels(request) -> dict[str, str]:
    """A channel's state in the visitor's language (the general labels name `pending` for accounts)."""
    english = language(request) == "en"
    return {term.code: term.en if english else term.id for term in CHANNEL_STATES.terms}


def channel_context(request, channels: list[dict] | None, new_channel: dict | None = None) -> dict:
    """What the channels' template part needs; `new_channel` is the answer to an added channel,
    whose code is shown on this page only."""
    how_to = (new_channel or {}).get("how_to_link") or {}
    return {"channels": channels, "new_channel": new_channel, "channel_states": state_labels(request),
            "how_to_link": how_to.get(language(request)) or how_to.get("id")}
