"""Personal data under UU 27/2022 (PDP), the parts every service shares:

- the privacy notices a form shows, by purpose and version (the API takes the
  version its client showed; an unknown one is refused);
- the consent record each service keeps beside the personal fields it
  collects (which purpose, which notice version, the lawful basis, when, by
  whom); it holds no personal data and outlives an erasure, as proof;
- the one way a phone number or an e-mail address is compared when an office
  searches for a person (`identifier_key`, `phone_variants`);
- the shape of what a service answers for its own data (`held_record`).

Each service answers for its own data (search, export, erasure) over RPC and
events; docs/privacy.md says what is held where and for how long.
"""
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from services.common.errors import invalid


@dataclass(frozen=True)
class Notice:
    purpose: str
    version: str
    basis: str  # UU 27/2022 art. 20(2): persetujuan, kewajiban_hukum, tugas_publik, ...
    id: str  # the text the form shows, in Bahasa Indonesia
    en: str


# The current notice of each purpose comes last. A version once shown stays here, so the
# consent records that name it keep their meaning: a changed text is a new version. The texts name
# no retention periods: those are settings, which the privacy page (/privasi) states.
NOTICES: tuple[Notice, ...] = (
    Notice("aspiration_contact", "2026-11", "persetujuan",
           "Nama, nomor telepon dan e-mail Anda hanya dipakai oleh kantor yang menangani aspirasi ini "
           "untuk menghubungi Anda dan menyampaikan jawabannya. Semuanya boleh dikosongkan. Data kontak "
           "dihapus setelah masa simpan berakhir, atau lebih awal atas permintaan Anda.",
           "Your name, phone number and e-mail are used only by the office handling this aspiration, to "
           "reach you and give you its answer. All are optional. Contact details are erased when the "
           "retention period ends, or earlier at your request."),
    Notice("member_contact", "2026-11", "tugas_publik",
           "Nama dan nomor telepon anggota dicatat agar Diskominfo dan KIM dapat berkoordinasi dalam "
           "pembinaan KIM. Anggota yang dikeluarkan dihapus datanya setelah masa simpan berakhir. "
           "Pastikan anggota telah diberi tahu.",
           "Members' names and phone numbers are kept so that Diskominfo and the KIM can coordinate the "
           "group's guidance. A removed member's data is erased when the retention period ends. Make sure "
           "the member has been told."),
    Notice("kim_contact", "2026-11", "tugas_publik",
           "Kontak KIM (nama, telepon, e-mail) dipakai kantor untuk menghubungi kelompok dan tidak "
           "ditampilkan kepada publik.",
           "The group's contact (name, phone, e-mail) is used by offices to reach the group and is never "
           "shown to the public."),
    Notice("channel_address", "2026-11", "persetujuan",
           "Nomor WhatsApp/SMS, alamat e-mail atau obrolan Telegram ini dipakai hanya untuk mengirim "
           "informasi pemerintah kepada KIM dan menerima balasannya. Kirim BERHENTI kapan saja.",
           "This WhatsApp/SMS number, e-mail address or Telegram chat is used only to send government "
           "information to the KIM and receive its replies. Send STOP at any time."),
)
PURPOSES = tuple(dict.fromkeys(notice.purpose for notice in NOTICES))


def current_notice(purpose: str) -> Notice:
    return [notice for notice in NOTICES if notice.purpose == purpose][-1]


def notice(purpose: str, version: str | None, field: str = "consent_version") -> Notice:
    """The notice a client showed: the version it names (422 when unknown),
    the current one when it names none."""
    if version is None:
        return current_notice(purpose)
    for known in NOTICES:
        if known.purpose == purpose and known.version == version:
            return known
    versions = ", ".join(n.version for n in NOTICES if n.purpose == purpose)
    raise invalid(field, f"one of {versions}", "Versi pemberitahuan privasi tidak dikenal.",
                  "Unknown privacy notice version.")


class ConsentRecordMixin:
    """One service's consent records: `__tablename__ = "consents"` on its own Base.
    `record` names what holds the personal fields (member:<id>, aspiration:<id>, ...)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record: Mapped[str] = mapped_column(String(80), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    notice_version: Mapped[str] = mapped_column(String(20))
    basis: Mapped[str] = mapped_column(String(30))
    fields: Mapped[list] = mapped_column(JSON)  # the names of the personal fields given, never their values
    given_by: Mapped[str] = mapped_column(String(100))  # the actor's label; "warga" for a citizen on the form
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @declared_attr.directive
    def __tablename__(cls) -> str:
        return "consents"


def consent_row(model, record: str, purpose: str, version: str | None, fields: list[str], given_by: str,
                at: datetime):
    """A consent record for `fields` (the personal fields actually given); None when none was given."""
    if not fields:
        return None
    shown = notice(purpose, version)
    return model(record=record, purpose=purpose, notice_version=shown.version, basis=shown.basis,
                 fields=sorted(fields), given_by=given_by, given_at=at)


def consents_of(session, model, records: list[str]) -> dict[str, list[dict]]:
    """record -> the consent records kept for it (oldest first), in one query."""
    found: dict[str, list[dict]] = {}
    if records:
        for row in session.scalars(select(model).where(model.record.in_(records))
                                   .order_by(model.given_at, model.id)):
            found.setdefault(row.record, []).append(consent_view(row))
    return found


def consent_view(row) -> dict:
    return {"record": row.record, "purpose": row.purpose, "notice_version": row.notice_version,
            "basis": row.basis, "fields": row.fields, "given_by": row.given_by,
            "given_at": row.given_at.isoformat() if row.given_at else None}


# --- finding a person -----------------------------------------------------------------

def identifier_key(identifier: dict) -> tuple[str, str]:
    """("phone", national digits) or ("email", lower-case address) from {"phone": ...} or {"email": ...}."""
    if not isinstance(identifier, dict) or len(identifier) != 1:
        raise invalid("identifier", "exactly one of phone, email", "Sebutkan satu nomor telepon atau satu e-mail.",
                      "Give one phone number or one e-mail address.")
    (kind, value), = identifier.items()
    if kind == "phone" and isinstance(value, str):
        digits = national_digits(value)
        if len(digits) >= 6:
            return "phone", digits
    if kind == "email" and isinstance(value, str) and "@" in value:
        return "email", value.strip().lower()
    raise invalid("identifier", "a phone number or an e-mail address", "Nomor telepon atau e-mail tidak sah.",
                  "Not a phone number or an e-mail address.")


def national_digits(phone: str) -> str:
    """+62 812-3456 7890, 0812 3456 7890 and 6281234567890 are one number: 81234567890."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("62"):
        return digits[2:]
    return digits[1:] if digits.startswith("0") else digits


def phone_variants(digits: str) -> list[str]:
    """The stored forms a number takes once spaces, dashes and '+' are gone: for SQL `IN`."""
    return [digits, "0" + digits, "62" + digits]


def compact(column):
    """SQL: a stored phone without spaces, dashes or '+', to compare with `phone_variants`."""
    from sqlalchemy import func
    return func.replace(func.replace(func.replace(column, " ", ""), "-", ""), "+", "")


def held_record(service: str, kind: str, record_id: str, personal: dict, facts: dict,
                consents: list[dict] | None = None) -> dict:
    """What one service holds about the person in one record: its personal fields (for the export),
    the record's non-personal facts, and the consent records."""
    return {"service": service, "kind": kind, "id": record_id,
            "personal": {k: v for k, v in personal.items() if v not in (None, "", {})},
            "facts": facts, "consents": consents or []}
