"""A group itself: registering it with its decree, editing it, reading and
listing it, the views each caller may see, what makes two groups the same
(name and decree keys), and the snapshot for replicas."""
import hashlib
import re
import unicodedata
import uuid
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from services.common.errors import Conflict, InvalidTransition, NotFound, PreconditionFailed, invalid
from services.common.events import record_event, record_events, utcnow
from services.common.privacy import consent_row
from services.common.regions import REGION_CODE_PATTERN
from services.common.scope import Actor, require_kim, require_office, require_region
from services.common.vocabulary import KIM_CLASSIFICATIONS
from services.registry import coverage, events
from services.registry.kims.tags import tags_rule
from services.registry.models import ConsentRecord, Kim, KimTag, Region, RegionReassignment, StatusChange, Tag
from services.registry.regions import ancestor_codes, region_dict

CLASSIFICATIONS = KIM_CLASSIFICATIONS
# fields a group may edit about itself; the office edits everything
KIM_EDITABLE = {"name", "address", "lat", "lon", "tags", "contact"}
OFFICE_EDITABLE = KIM_EDITABLE | {"village_code", "sk", "classification"}
NAME_KEY_LENGTH, SK_KEY_LENGTH = 200, 100  # the columns' lengths
# Indonesia's bounding box, with a margin: coordinates outside are typos
LAT_RANGE, LON_RANGE = (-12.0, 7.0), (94.0, 142.0)
# the personal fields of a group's contact (its website is the group's, not a person's)
CONTACT_PERSONAL_FIELDS = ("person", "name", "phone", "email")


def today(timezone: str) -> date:
    """Today's date in the settings' zone (KIM_TIMEZONE)."""
    return utcnow().astimezone(ZoneInfo(timezone)).date()


def folded(text: str) -> str:
    """Unicode NFKC with case folding (NFKC_Casefold, closely): full-width
    letters, ligatures, compatibility forms and case all compare equal."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _fitting(key: str, length: int) -> str:
    # folding may make a key many times longer than what was typed ("İ" is two
    # characters folded, "ﷺ" eighteen): such a key is kept as its digest
    return key if len(key) <= length else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def name_key(name: str) -> str:
    """What two names of groups in one village must not share."""
    return _fitting(" ".join(folded(name).split()), NAME_KEY_LENGTH)


def sk_key(number: str) -> str:
    """What two decrees must not share: the number folded, without spaces."""
    return _fitting(re.sub(r"\s+", "", folded(number)), SK_KEY_LENGTH)


# --- views -------------------------------------------------------------------

def region_path(village_code: str) -> list[str]:
    return ancestor_codes(village_code) + [village_code]


def public_view(kim: Kim) -> dict:
    """What anyone may see: no contact, no members. Events carry their own
    contracts (events.py), so this view may change without changing them."""
    return {
        "id": kim.id, "name": kim.name, "village_code": kim.village_code,
        "region_path": region_path(kim.village_code),
        "address": kim.address, "lat": kim.lat, "lon": kim.lon,
        "sk": {"number": kim.sk_number, "date": kim.sk_date.isoformat(), "issuer": kim.sk_issuer},
        "tags": [t.tag for t in kim.tags], "classification": kim.classification,
        "status": kim.status, "status_reason": kim.status_reason,
        "last_activity_on": kim.last_activity_on.isoformat(), "version": kim.version,
        "created_at": kim.created_at.isoformat(), "updated_at": kim.updated_at.isoformat(),
    }


def full_view(kim: Kim) -> dict:
    return {**public_view(kim), "contact": kim.contact or {}}


def with_region_names(session: Session, views: list[dict], known: dict[str, Region] | None = None) -> list[dict]:
    """Add `regions` ({code, name, level} from province to village) in one query, or none when
    `known` (regions already read) holds them all."""
    codes = {code for view in views for code in view["region_path"]}
    names = dict(known or {})
    if codes - names.keys():
        names.update((r.code, r) for r in session.scalars(select(Region).where(Region.code.in_(codes - names.keys()))))
    for view in views:
        view["regions"] = [region_dict(names[c]) for c in view["region_path"] if c in names]
    return views


def view_for(actor: Actor, kim: Kim) -> dict:
    return full_view(kim) if actor.may_see(kim) else public_view(kim)


# --- reading -------------------------------------------------------------------

def load_kim(session: Session, kim_id, for_update: bool = False) -> Kim:
    query = select(Kim).where(Kim.id == str(kim_id))
    if for_update:
        query = query.with_for_update()
    kim = session.scalar(query) if isinstance(kim_id, str) else None
    if kim is None:
        raise NotFound(f"KIM {kim_id} tidak ditemukan.", detail_en=f"No KIM {kim_id}.", kim_id=str(kim_id))
    return kim


def villages_of(session: Session, kim_ids: list[str]) -> dict[str, str]:
    """Each known group's current village (public), for the gateway's
    account rules, which follow a group where it is now."""
    ids = [str(i) for i in kim_ids][:10_000]
    return dict(session.execute(select(Kim.id, Kim.village_code).where(Kim.id.in_(ids))).all()) if ids else {}


def get_kim(session: Session, actor: Actor, kim_id: str, public: bool = False) -> dict:
    kim = load_kim(session, kim_id)
    if public:
        return with_region_names(session, [public_view(kim)])[0]
    require_kim(actor, kim)
    return with_region_names(session, [full_view(kim)])[0]


def list_kims(session: Session, actor: Actor, *, region=None, status=None, tag=None, classification=None,
              q=None, public=False, limit=50, offset=0) -> dict:
    query = select(Kim)
    if not public:
        if actor.role == "kim":
            query = query.where(Kim.id == actor.kim_id)
        elif actor.is_office:
            if actor.scope_region:
                query = query.where(_in_subtree(actor.scope_region))
        else:
            require_office(actor)
    if region:
        if not REGION_CODE_PATTERN.match(region):
            raise invalid("region", "a region code", "Kode wilayah tidak valid.", "Invalid region code.")
        if not public and actor.is_office and not actor.covers(region) and not _above(region, actor.scope_region):
            require_region(actor, region)
        query = query.where(_in_subtree(region))
    if status:
        query = query.where(Kim.status == status)
    if classification:
        query = query.where(Kim.classification == classification)
    if tag:
        query = query.where(Kim.id.in_(select(KimTag.kim_id).where(KimTag.tag == tag)))
    if q:
        pattern = "%" + name_key(q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Kim.name_key.like(pattern, escape="\\"))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    kims = session.scalars(query.order_by(Kim.id).limit(limit).offset(offset)).all()
    views = [public_view(k) if public else view_for(actor, k) for k in kims]
    return {"items": with_region_names(session, views), "total": total}


def _in_subtree(code: str):
    column = {0: Kim.province_code, 1: Kim.regency_code, 2: Kim.district_code, 3: Kim.village_code}[code.count(".")]
    return column == code


def _above(region: str, scope: str | None) -> bool:
    """A filter on a region that contains the caller's scope (e.g. an operator
    of 14.71 filtering on 14) stays inside the scope anyway."""
    return scope is not None and scope.startswith(region + ".")


# --- the contact's consent (issue 16) ------------------------------------------------

def without_consent_version(data: dict) -> tuple[dict, str | None]:
    """The data without the privacy notice version its form showed (a key no rule of
    the group's fields knows), and that version (None: the current notice)."""
    data = dict(data)
    return data, data.pop("consent_version", None)


def contact_consent(kim_id: str, contact: dict | None, version: str | None, given_by: str,
                    at) -> ConsentRecord | None:
    """The consent record of a group's contact: the personal fields it gives; None when it gives none."""
    given = [field for field in CONTACT_PERSONAL_FIELDS if (contact or {}).get(field)]
    return consent_row(ConsentRecord, f"kim_contact:{kim_id}", "kim_contact", version, given, given_by, at)


# --- registering and editing ---------------------------------------------------------

class Lookups:
    """What the rules of a registration look up, in as few queries as they allow (a single
    registration: the village with its ancestors in one, both duplicate rules in one); the
    import looks the same things up for a whole batch at once (imports.BatchLookups) and
    applies the same rules."""

    def __init__(self, session: Session):
        self.session = session
        self.regions: dict[str, Region] = {}  # what village_level read: the response's region names
        self._duplicates: dict[tuple, tuple[str | None, str | None]] = {}

    def village_level(self, code) -> str | None:
        """The level of the region with this code (None when there is none); a village's
        ancestors are read with it, for the answer's region names."""
        if not isinstance(code, str) or not REGION_CODE_PATTERN.match(code):
            return None
        path = region_path(code) if code.count(".") == 3 else [code]
        self.regions.update((r.code, r) for r in self.session.scalars(select(Region).where(Region.code.in_(path))))
        return self.regions[code].level if code in self.regions else None

    def known_tags(self, tags: list[str]) -> set[str]:
        return set(self.session.scalars(select(Tag.code).where(Tag.code.in_(tags)))) if tags else set()

    def duplicates(self, village_code: str, key: str, number_key: str | None,
                   except_id: str | None = None) -> tuple[str | None, str | None]:
        """(a living group of the village with this name, a group with this decree number):
        both rules in one query."""
        same_name_rule = and_(Kim.village_code == village_code, Kim.name_key == key, Kim.status != "dissolved")
        rules = [same_name_rule] if number_key is None else [same_name_rule, Kim.sk_number_key == number_key]
        found = self.session.execute(select(Kim.id, same_name_rule.label("same_name")).where(
            or_(*rules), Kim.id != (except_id or "")).order_by(Kim.id)).all()
        return (next((kim_id for kim_id, by_name in found if by_name), None),
                next((kim_id for kim_id, by_name in found if not by_name), None))


def _check_village(level: str | None, code):
    if level != "village":
        raise invalid("village_code", "a village code such as 14.71.01.1002",
                      f"Desa/kelurahan {code} tidak ada.", f"No village {code}.")


def _check_fields(data: dict, timezone: str):
    if "classification" in data and data["classification"] not in CLASSIFICATIONS:
        raise invalid("classification", f"one of {', '.join(CLASSIFICATIONS)}",
                      "Klasifikasi tidak dikenal.", "Unknown classification.")
    for field, (low, high) in (("lat", LAT_RANGE), ("lon", LON_RANGE)):
        value = data.get(field)
        if value is not None and not low <= value <= high:
            raise invalid(field, f"{low}..{high} (Indonesia)", "Koordinat di luar Indonesia.",
                          "Coordinates outside Indonesia.")
    if "sk" in data:
        sk_date = date.fromisoformat(data["sk"]["date"])
        if sk_date > today(timezone) or sk_date.year < 1945:
            raise invalid("sk.date", "between 1945 and today", "Tanggal SK tidak masuk akal.",
                          "The decree date is not plausible.")


def _check_duplicates(lookups: Lookups, name: str, village_code: str, sk_number: str | None,
                      except_id: str | None = None):
    same_name, same_sk = lookups.duplicates(village_code, name_key(name), sk_key(sk_number) if sk_number else None,
                                            except_id)
    if same_name:
        raise Conflict(f"Sudah ada KIM bernama {name} di desa ini: {same_name}.",
                       detail_en=f"A KIM named {name} already exists in this village: {same_name}.",
                       existing_id=same_name)
    if same_sk:
        raise Conflict(f"Nomor SK {sk_number} sudah dipakai oleh {same_sk}.",
                       detail_en=f"Decree number {sk_number} is already used by {same_sk}.",
                       existing_id=same_sk)


def _next_id(session: Session, village_code: str) -> str:
    """`KIM-<village digits>-<number in the village>`, e.g. KIM-1471011002-01."""
    prefix = kim_id_prefix(village_code)
    if session.get_bind().dialect.name == "postgresql":
        # registrations in one village take turns for the next number
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(prefix))))
    taken = session.scalars(select(Kim.id).where(Kim.id.like(prefix + "%"))).all()
    numbers = [int(kim_id[len(prefix):]) for kim_id in taken if kim_id[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def kim_id_prefix(village_code: str) -> str:
    return "KIM-" + village_code.replace(".", "") + "-"


def _locate(kim: Kim, village_code: str):
    kim.village_code = village_code
    kim.district_code, kim.regency_code, kim.province_code = (
        village_code[:8], village_code[:5], village_code[:2])


def check_registration(lookups: Lookups, actor: Actor, data: dict, *, timezone: str) -> list[str]:
    """The rules of registering a group, in one place for a single registration
    and for every row of an import: the caller is an office, the village exists
    and lies in its scope, the fields are plausible, the tags known, and no
    living group of the village has the name nor any group the decree number.
    Returns the group's tags (sorted, no repeats); raises the first broken rule."""
    require_office(actor)
    _check_village(lookups.village_level(data["village_code"]), data["village_code"])
    require_region(actor, data["village_code"])
    _check_fields(data, timezone)
    tags = tags_rule(data.get("tags") or [], lookups.known_tags(sorted(set(data.get("tags") or []))))
    _check_duplicates(lookups, data["name"], data["village_code"], data["sk"]["number"])
    return tags


def kim_columns(data: dict, kim_id: str, now, on: date) -> dict:
    """A newly registered group's columns (`on`: today in KIM_TIMEZONE), for
    one registration's model object and for an import's bulk insert alike."""
    village = data["village_code"]
    return {"id": kim_id, "name": data["name"], "name_key": name_key(data["name"]), "village_code": village,
            "district_code": village[:8], "regency_code": village[:5], "province_code": village[:2],
            "address": data.get("address"), "lat": data.get("lat"), "lon": data.get("lon"),
            "sk_number": data["sk"]["number"], "sk_number_key": sk_key(data["sk"]["number"]),
            "sk_date": date.fromisoformat(data["sk"]["date"]), "sk_issuer": data["sk"]["issuer"],
            "classification": data["classification"], "contact": data.get("contact") or {}, "status": "active",
            "status_reason": None, "last_activity_on": on, "version": 1, "created_at": now, "updated_at": now}


def register_kim(session: Session, actor: Actor, data: dict, *, timezone: str) -> dict:
    """A new group, in a handful of statements (tests/test_statements.py counts them): the
    coverage counters, whose country row every registration waits for, come last."""
    data, consent_version = without_consent_version(data)
    lookups = Lookups(session)
    tags = check_registration(lookups, actor, data, timezone=timezone)
    now, kim_id = utcnow(), _next_id(session, data["village_code"])
    kim = Kim(**kim_columns(data, kim_id, now, today(timezone)))
    kim.tags = [KimTag(tag=t) for t in tags]
    session.add(kim)
    consent = contact_consent(kim_id, kim.contact, consent_version, actor.label, now)
    if consent is not None:
        session.add(consent)
    session.add(StatusChange(kim_id=kim_id, old=None, new="active", reason="registered",
                             actor=actor.label, changed_at=now))
    session.flush()
    record_event(session, "kim_registered", events.kim_registered(kim))
    coverage.apply(session, [(kim.village_code, None, "active")])
    return with_region_names(session, [full_view(kim)], lookups.regions)[0]


def update_kim(session: Session, actor: Actor, kim_id: str, changes: dict, expected_version: int | None, *,
               timezone: str) -> dict:
    changes, consent_version = without_consent_version(changes)
    kim = load_kim(session, kim_id, for_update=True)
    require_kim(actor, kim)
    allowed = OFFICE_EDITABLE if actor.is_office else KIM_EDITABLE
    refused = sorted(set(changes) - allowed)
    if refused:
        raise invalid(refused[0], "may not be changed by this caller",
                      f"Anda tidak boleh mengubah {', '.join(refused)}.", f"You may not change {', '.join(refused)}.")
    if expected_version is not None and expected_version != kim.version:
        raise PreconditionFailed(f"KIM ini sudah diubah (versi {kim.version}); muat ulang dulu.",
                                 detail_en=f"This KIM has changed (version {kim.version}); reload it first.",
                                 current_version=kim.version)
    if kim.status == "dissolved":
        raise InvalidTransition("KIM yang sudah bubar tidak dapat diubah.",
                                detail_en="A dissolved KIM cannot be changed.", allowed=[])
    _check_fields(changes, timezone)
    lookups = Lookups(session)
    if "village_code" in changes:
        _check_village(lookups.village_level(changes["village_code"]), changes["village_code"])
        require_region(actor, changes["village_code"])
    if "tags" in changes:
        changes["tags"] = tags_rule(changes["tags"], lookups.known_tags(sorted(set(changes["tags"]))))
    if not changes:
        return with_region_names(session, [full_view(kim)])[0]
    _check_duplicates(lookups, changes.get("name", kim.name), changes.get("village_code", kim.village_code),
                      changes["sk"]["number"] if "sk" in changes else None, except_id=kim.id)
    old_village = kim.village_code
    for field in ("address", "lat", "lon", "classification", "contact"):
        if field in changes:
            setattr(kim, field, changes[field] if field != "contact" else (changes[field] or {}))
    if "name" in changes:
        kim.name, kim.name_key = changes["name"], name_key(changes["name"])
    if "sk" in changes:
        sk = changes["sk"]
        kim.sk_number, kim.sk_number_key = sk["number"], sk_key(sk["number"])
        kim.sk_date, kim.sk_issuer = date.fromisoformat(sk["date"]), sk["issuer"]
    if "tags" in changes:
        kim.tags = [KimTag(tag=t) for t in changes["tags"]]
    if "village_code" in changes and changes["village_code"] != old_village:
        _locate(kim, changes["village_code"])
        coverage.apply(session, [(old_village, kim.status, None), (kim.village_code, None, kim.status)])
        # a group waiting for a village after a region update has been given one
        session.execute(delete(RegionReassignment).where(RegionReassignment.kim_id == kim.id))
    kim.version += 1
    kim.updated_at = utcnow()
    if "contact" in changes:
        consent = contact_consent(kim.id, kim.contact, consent_version, actor.label, kim.updated_at)
        if consent is not None:
            session.add(consent)
    session.flush()
    record_event(session, "kim_updated", events.kim_updated(kim))
    return with_region_names(session, [full_view(kim)])[0]


# --- snapshot ---------------------------------------------------------------------

def emit_snapshot(session: Session) -> dict:
    """Every group (dissolved ones too) as `kim_snapshot` events, for replicas."""
    snapshot_id = str(uuid.uuid4())
    kims = session.scalars(select(Kim).order_by(Kim.id)).all()
    record_events(session, "kim_snapshot", [
        events.kim_snapshot(k, snapshot_id, i + 1, len(kims)) for i, k in enumerate(kims)])
    return {"snapshot_id": snapshot_id, "kims": len(kims)}
