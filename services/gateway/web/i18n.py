"""Bahasa Indonesia first, English available: the visitor's language, the
English of every Indonesian text on the pages, and labels for the
platform's codes (statuses, kinds, levels)."""
from starlette.requests import Request

from services.common.vocabulary import labels
from services.gateway.problems import prefers_english
from services.gateway.web.english import ENGLISH

LANGUAGES = ("id", "en")
LANGUAGE_COOKIE = "kim_lang"

# a code the platform uses -> (Indonesian, English): the vocabularies' own labels, and those of the
# codes that are no vocabulary of the API (region levels, broadcast and account states, relay channels)
LABELS = {
    **labels(),
    "province": ("Provinsi", "Province"), "regency": ("Kabupaten/Kota", "Regency/City"),
    "district": ("Kecamatan", "District"), "village": ("Desa/Kelurahan", "Village"),
    "draft": ("Draf", "Draft"), "scheduled": ("Terjadwal", "Scheduled"), "publishing": ("Sedang dikirim", "Sending"),
    "published": ("Terkirim", "Published"), "withdrawn": ("Ditarik", "Withdrawn"),
    "pending": ("Menunggu kata sandi", "Awaiting password"), "disabled": ("Nonaktif", "Disabled"),
    "whatsapp": ("WhatsApp", "WhatsApp"), "pengeras_suara": ("Pengeras suara", "Loudspeaker"),
    "media_sosial": ("Media sosial", "Social media"), "papan_informasi": ("Papan informasi", "Notice board"),
    "broadcast": ("Siaran", "Broadcast"), "aspiration_answer": ("Jawaban aspirasi", "Answer to an aspiration"),
    "withdrawal": ("Siaran ditarik", "Withdrawn broadcast"), "update": ("Siaran diperbarui", "Updated broadcast"),
    # the privacy notices' purposes (services/common/privacy.py)
    "aspiration_contact": ("Kontak pengirim aspirasi", "An aspiration sender's contact"),
    "member_contact": ("Data anggota KIM", "Group members' data"), "kim_contact": ("Kontak KIM", "Group contact"),
    "channel_address": ("Saluran KIM", "Group channels"),
}


def language(request: Request) -> str:
    """?lang= (remembered in a cookie), else the cookie, else the browser's preference."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return "en" if prefers_english(request) else "id"


def translator(lang: str):
    """`_("Teks Indonesia", n=3)`: the text in the visitor's language, formatted."""
    def translate(text: str, **values) -> str:
        if lang == "en":
            text = ENGLISH.get(text, text)
        return text.format(**values) if values else text
    return translate


def labeler(lang: str):
    def label(code) -> str:
        if code is None:
            return ""
        pair = LABELS.get(str(code))
        return pair[1 if lang == "en" else 0] if pair else str(code).replace("_", " ")
    return label
