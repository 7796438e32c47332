"""The rules of the KIM directory, called as the service calls them, for
every kind of caller: the national admin, an operator inside the group's
regency (Kota Pekanbaru, 14.71), an operator outside it (Kota Dumai, 14.72),
the group itself, another group, and nobody (the public actor an anonymous
caller would be). The scope matrix, the personal-data rule (contacts and
member phones) on every read path, versions, members, activities and status.

The gateway maps each domain error to one status (services/gateway/problems.py);
tests/test_kims_scope.py proves that mapping and the HTTP headers end to end."""
import json
from datetime import timedelta
from types import SimpleNamespace

import pytest

from services.common.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    OutOfScope,
    PreconditionFailed,
)
from services.common.scope import PUBLIC, Actor
from services.common.testing import keys_anywhere
from services.registry import kims

ZONE = "Asia/Jakarta"  # KIM_TIMEZONE's default
PEKANBARU_VILLAGE = "14.71.01.1002"  # Jadirejo, Kota Pekanbaru
PEKANBARU_OTHER_VILLAGE = "14.71.01.1003"  # Kampung Tengah, Kota Pekanbaru
PEKANBARU_THIRD_VILLAGE = "14.71.01.1005"  # Kedung Sari, Kota Pekanbaru
DUMAI_VILLAGE = "14.72.01.1003"  # Pangkalan Sesai, Kota Dumai
UNKNOWN_KIM = "KIM-9999999999-99"

ADMIN = Actor("admin", key_id="admin")
INSIDE = Actor("operator", "14.71", key_id="operator-pekanbaru")
OUTSIDE = Actor("operator", "14.72", key_id="operator-dumai")


def group_data(name: str, village: str, number: str, **overrides) -> dict:
    data = {
        "name": name, "village_code": village,
        "sk": {"number": number, "date": "2024-03-01", "issuer": "Lurah Setempat"},
        "tags": ["pemuda"], "classification": "tumbuh",
        "contact": {"person": "Pengurus", "phone": f"0812 {number[-8:]}", "email": "kim@example.org"},
        "address": "Jl. Uji No. 1", "lat": 0.5071, "lon": 101.4478,
    }
    data.update(overrides)
    return data


@pytest.fixture
def session(rolled_back_session):
    """These tests share a database per backend, each in a transaction of its own rolled back at its end."""
    return rolled_back_session


def call(session, function, *args, **kwargs):
    """One domain call in its own transaction, committed, as a worker makes it."""
    with session.begin():
        return function(session, *args, **kwargs)


def refused(session, error: type[DomainError], function, *args, **kwargs) -> DomainError:
    """A domain call that must raise `error`; its transaction is rolled back."""
    with pytest.raises(error) as raised, session.begin():
        function(session, *args, **kwargs)
    return raised.value


def field_of(error: DomainError) -> str:
    return error.extra["errors"][0]["field"]


@pytest.fixture
def world(session):
    """KIM A in Kota Pekanbaru and KIM B in Kota Dumai, each with a ketua
    with a phone, and the actors of both groups."""
    a = call(session, kims.register_kim, ADMIN, group_data(
        "KIM Lingkup Alfa", PEKANBARU_VILLAGE, "SCOPE/ALFA/11111111", tags=["pemuda", "umkm"],
        classification="berkembang"), timezone=ZONE)
    b = call(session, kims.register_kim, ADMIN, group_data(
        "KIM Lingkup Beta", DUMAI_VILLAGE, "SCOPE/BETA/22222222", tags=["perikanan"], classification="maju"),
        timezone=ZONE)
    phones = {"a": "+62 811 33333333", "b": "+62 813 44444444"}
    a_ketua = call(session, kims.add_member, ADMIN, a["id"], {"name": "Siti Ketua Alfa", "role": "ketua",
                                                              "phone": phones["a"]})
    b_ketua = call(session, kims.add_member, ADMIN, b["id"], {"name": "Budi Ketua Beta", "role": "ketua",
                                                              "phone": phones["b"]})
    return SimpleNamespace(
        a=a, b=b, a_ketua=a_ketua, b_ketua=b_ketua, phone_a=phones["a"], phone_b=phones["b"],
        contact_phone_a=a["contact"]["phone"], contact_phone_b=b["contact"]["phone"],
        own=Actor("kim", kim_id=a["id"], key_id="kim-alfa"), other=Actor("kim", kim_id=b["id"], key_id="kim-beta"))


def ids(session, actor, **filters) -> list[str]:
    return [k["id"] for k in call(session, kims.list_kims, actor, **filters)["items"]]


# --- registering ---------------------------------------------------------------------

def test_admin_and_operator_inside_register(session, world):
    assert world.a["id"] == "KIM-1471011002-01" and world.b["id"] == "KIM-1472011003-01"
    assert world.a["status"] == "active" and world.a["version"] == 1
    assert world.a["region_path"] == ["14", "14.71", "14.71.01", PEKANBARU_VILLAGE]
    assert world.b["region_path"] == ["14", "14.72", "14.72.01", DUMAI_VILLAGE]
    assert world.a["name"] == "KIM Lingkup Alfa" and world.a["contact"]["phone"] == world.contact_phone_a
    assert call(session, kims.get_kim, ADMIN, world.a["id"])["id"] == world.a["id"]

    kim = call(session, kims.register_kim, INSIDE, group_data("KIM Daftar Operator", PEKANBARU_OTHER_VILLAGE,
                                                              "SCOPE/OPERATOR/1"), timezone=ZONE)
    assert kim["status"] == "active" and kim["version"] == 1
    assert kim["region_path"] == ["14", "14.71", "14.71.01", PEKANBARU_OTHER_VILLAGE]


def test_register_refused_outside_scope_for_groups_and_the_public(session, world):
    for actor, village in ((OUTSIDE, PEKANBARU_VILLAGE), (INSIDE, DUMAI_VILLAGE), (world.own, PEKANBARU_VILLAGE),
                           (PUBLIC, PEKANBARU_VILLAGE)):
        refused(session, OutOfScope, kims.register_kim, actor,
                group_data("KIM Daftar Ditolak", village, "SCOPE/REFUSED/1"), timezone=ZONE)
    assert call(session, kims.list_kims, ADMIN, q="Daftar Ditolak")["total"] == 0


# --- reading one ---------------------------------------------------------------------

def test_read_one_with_contact_for_admin_operator_inside_and_own_group(session, world):
    for actor in (ADMIN, INSIDE, world.own):
        kim = call(session, kims.get_kim, actor, world.a["id"])
        assert kim["id"] == world.a["id"] and kim["village_code"] == PEKANBARU_VILLAGE
        assert kim["contact"]["phone"] == world.contact_phone_a
        assert [r["code"] for r in kim["regions"]] == kim["region_path"]


def test_read_one_refused_outside_scope_to_the_public_and_unknown(session, world):
    for actor in (OUTSIDE, world.other, PUBLIC):
        error = refused(session, OutOfScope, kims.get_kim, actor, world.a["id"])
        assert world.contact_phone_a not in repr(error.args)
    refused(session, NotFound, kims.get_kim, ADMIN, UNKNOWN_KIM)


# --- listing -------------------------------------------------------------------------

def test_operator_lists_only_its_regency(session, world):
    third = call(session, kims.register_kim, ADMIN, group_data("KIM Ketiga", PEKANBARU_OTHER_VILLAGE, "SCOPE/3"),
                 timezone=ZONE)
    inside = call(session, kims.list_kims, INSIDE)
    assert sorted(k["id"] for k in inside["items"]) == sorted([world.a["id"], third["id"]])
    assert inside["total"] == 2 and all(k["village_code"].startswith("14.71.") for k in inside["items"])
    mine = call(session, kims.list_kims, INSIDE, q="lingkup")
    assert [k["id"] for k in mine["items"]] == [world.a["id"]] and mine["total"] == 1
    assert mine["items"][0]["contact"]["phone"] == world.contact_phone_a
    assert ids(session, OUTSIDE) == [world.b["id"]]
    # a region above the scope keeps to the scope
    assert ids(session, INSIDE, region="14", q="lingkup") == [world.a["id"]]


def test_a_group_lists_only_itself(session, world):
    page = call(session, kims.list_kims, world.own)
    assert [k["id"] for k in page["items"]] == [world.a["id"]] and page["total"] == 1
    assert page["items"][0]["contact"]["phone"] == world.contact_phone_a
    page = call(session, kims.list_kims, world.other)
    assert [k["id"] for k in page["items"]] == [world.b["id"]] and page["total"] == 1
    assert call(session, kims.list_kims, world.other, region="14.71")["total"] == 0


def test_list_region_filter_outside_scope_is_refused(session, world):
    for actor, region in ((INSIDE, "14.72"), (INSIDE, DUMAI_VILLAGE), (OUTSIDE, "14.71")):
        refused(session, OutOfScope, kims.list_kims, actor, region=region)
    assert ids(session, INSIDE, region="14.71.01", q="lingkup") == [world.a["id"]]
    refused(session, OutOfScope, kims.list_kims, PUBLIC)
    assert field_of(refused(session, InvalidInput, kims.list_kims, ADMIN, region="14.7x")) == "region"


def test_list_filters(session, world):
    a, b = world.a["id"], world.b["id"]
    assert ids(session, ADMIN) == sorted([a, b])
    assert ids(session, ADMIN, region="14.72") == [b]
    assert ids(session, ADMIN, tag="umkm") == [a]
    assert ids(session, ADMIN, tag="perikanan") == [b]
    assert ids(session, ADMIN, tag="kesehatan") == []
    assert ids(session, ADMIN, classification="berkembang") == [a]
    assert ids(session, ADMIN, classification="maju") == [b]
    assert ids(session, ADMIN, classification="mandiri") == []
    assert ids(session, ADMIN, status="active") == sorted([a, b])
    assert ids(session, ADMIN, status="dissolved") == []
    # q is a part of the name, case-insensitive; % and _ in it are letters
    assert ids(session, ADMIN, q="lingkup ALFA") == [a]
    assert ids(session, ADMIN, q="BETA") == [b]
    assert ids(session, ADMIN, q="lingkup%alfa") == []
    quiet = call(session, kims.register_kim, ADMIN, group_data("KIM Sepi", PEKANBARU_THIRD_VILLAGE, "SCOPE/SEPI"),
                 timezone=ZONE)
    call(session, kims.change_status, ADMIN, quiet["id"], "vakum", "Pengurus pindah")
    assert ids(session, ADMIN, status="vakum") == [quiet["id"]]
    assert ids(session, ADMIN, q="sepi", status="active") == []


def test_list_pages(session, world):
    first = call(session, kims.list_kims, ADMIN, limit=1)
    second = call(session, kims.list_kims, ADMIN, limit=1, offset=1)
    assert first["total"] == second["total"] == 2 and len(first["items"]) == len(second["items"]) == 1
    assert [first["items"][0]["id"], second["items"][0]["id"]] == sorted([world.a["id"], world.b["id"]])
    assert call(session, kims.list_kims, ADMIN, limit=1, offset=2)["items"] == []


# --- the public directory -------------------------------------------------------------

def test_public_directory_without_personal_data(session, world):
    secrets = (world.phone_a, world.phone_b, world.contact_phone_a, world.contact_phone_b)
    listing = call(session, kims.list_kims, PUBLIC, public=True)
    assert sorted(k["id"] for k in listing["items"]) == sorted([world.a["id"], world.b["id"]])
    one = call(session, kims.get_kim, PUBLIC, world.a["id"], public=True)
    assert one["region_path"] == ["14", "14.71", "14.71.01", PEKANBARU_VILLAGE] and one["name"] == world.a["name"]
    answers = [listing, one, call(session, kims.get_kim, PUBLIC, world.b["id"], public=True),
               call(session, kims.list_kims, PUBLIC, public=True, region="14.71"),
               call(session, kims.list_kims, PUBLIC, public=True, tag="umkm", q="lingkup"),
               # a caller who could see more sees the same public view on the public paths
               call(session, kims.get_kim, world.own, world.a["id"], public=True),
               call(session, kims.list_kims, ADMIN, public=True)]
    for answer in answers:
        text = json.dumps(answer)
        assert not keys_anywhere(answer, "contact"), text
        assert not any(secret in text for secret in secrets), text
    refused(session, NotFound, kims.get_kim, PUBLIC, UNKNOWN_KIM, public=True)


# --- personal data ---------------------------------------------------------------------

def test_member_phones_for_the_entitled_only(session, world):
    for actor in (ADMIN, INSIDE, world.own):
        members = call(session, kims.list_members, actor, world.a["id"])
        ketua = [m for m in members["items"] if m["id"] == world.a_ketua["id"]]
        assert ketua and ketua[0]["phone"] == world.phone_a and ketua[0]["role"] == "ketua"
    for actor in (OUTSIDE, world.other, PUBLIC):
        error = refused(session, OutOfScope, kims.list_members, actor, world.a["id"])
        assert world.phone_a not in repr(error.args)


def test_phones_never_reach_callers_outside_the_group(session, world):
    """Every read path a caller outside group A may use: A's member phone and
    A's contact phone never appear, in an answer or a refusal."""
    a = world.a["id"]
    secrets = (world.phone_a, world.contact_phone_a)
    reads = [
        lambda actor: kims.list_kims(session, actor),
        lambda actor: kims.list_kims(session, actor, limit=500),
        lambda actor: kims.list_kims(session, actor, q="lingkup"),
        lambda actor: kims.get_kim(session, actor, a),
        lambda actor: kims.list_members(session, actor, a),
        lambda actor: kims.list_activities(session, actor, a),
        lambda actor: kims.status_history(session, actor, a),
        lambda actor: kims.list_kims(session, actor, public=True, limit=500),
        lambda actor: kims.list_kims(session, actor, public=True, q="lingkup"),
        lambda actor: kims.get_kim(session, actor, a, public=True),
    ]
    for actor in (world.other, OUTSIDE, PUBLIC):
        for read in reads:
            with session.begin():
                try:
                    text = json.dumps(read(actor))
                except OutOfScope as error:
                    text = repr(error.args)
            assert not any(secret in text for secret in secrets), f"{actor}: {text}"
    own_members = call(session, kims.list_members, world.other, world.b["id"])  # its own phones, yes
    assert world.phone_b in {m["phone"] for m in own_members["items"]}


# --- changing ------------------------------------------------------------------------

def test_an_update_with_the_current_version_increments_it(session, world):
    version = call(session, kims.get_kim, INSIDE, world.a["id"])["version"]
    kim = call(session, kims.update_kim, INSIDE, world.a["id"], {"address": "Jl. Melati No. 9",
                                                                 "tags": ["pemuda", "umkm"]}, version, timezone=ZONE)
    assert kim["version"] == version + 1 and kim["address"] == "Jl. Melati No. 9"
    assert call(session, kims.get_kim, INSIDE, world.a["id"])["version"] == version + 1
    # without a version (no If-Match) the change is made as well
    assert call(session, kims.update_kim, ADMIN, world.a["id"], {"lat": 0.52}, None,
                timezone=ZONE)["version"] == version + 2


def test_an_update_with_a_stale_version_is_refused(session, world):
    version = call(session, kims.get_kim, ADMIN, world.a["id"])["version"]
    call(session, kims.update_kim, ADMIN, world.a["id"], {"lat": 0.51}, version, timezone=ZONE)
    error = refused(session, PreconditionFailed, kims.update_kim, ADMIN, world.a["id"], {"address": "Jl. Basi"},
                    version, timezone=ZONE)
    assert error.extra["current_version"] == version + 1
    after = call(session, kims.get_kim, ADMIN, world.a["id"])
    assert after["version"] == version + 1 and after["address"] != "Jl. Basi"


def test_a_group_edits_its_address_but_not_its_village_or_classification(session, world):
    version = world.a["version"]
    changed = call(session, kims.update_kim, world.own, world.a["id"], {"address": "Jl. Kenanga No. 3"}, version,
                   timezone=ZONE)
    assert changed["address"] == "Jl. Kenanga No. 3" and changed["version"] == version + 1
    for change in ({"village_code": PEKANBARU_OTHER_VILLAGE}, {"classification": "mandiri"}, {"sk": world.a["sk"]}):
        error = refused(session, InvalidInput, kims.update_kim, world.own, world.a["id"], change, version + 1,
                        timezone=ZONE)
        assert field_of(error) == next(iter(change))
    after = call(session, kims.get_kim, world.own, world.a["id"])
    assert after["version"] == version + 1
    assert after["village_code"] == PEKANBARU_VILLAGE and after["classification"] == "berkembang"
    refused(session, OutOfScope, kims.update_kim, world.other, world.a["id"], {"address": "Jl. Orang Lain"}, None,
            timezone=ZONE)


def test_an_operator_outside_and_the_public_cannot_update(session, world):
    for actor, version in ((OUTSIDE, 1), (OUTSIDE, None), (PUBLIC, None)):
        refused(session, OutOfScope, kims.update_kim, actor, world.a["id"], {"address": "Jl. Dumai"}, version,
                timezone=ZONE)
    after = call(session, kims.get_kim, ADMIN, world.a["id"])
    assert after["address"] != "Jl. Dumai" and after["version"] == 1


# --- members -------------------------------------------------------------------------

def test_a_second_ketua_is_a_conflict(session, world):
    error = refused(session, Conflict, kims.add_member, world.own, world.a["id"],
                    {"name": "Ketua Kedua", "role": "ketua", "phone": "0812 000 111"})
    assert error.extra["existing_id"] == world.a_ketua["id"]
    assert "Ketua Kedua" not in {m["name"] for m in call(session, kims.list_members, world.own, world.a["id"])["items"]}
    refused(session, OutOfScope, kims.add_member, world.other, world.a["id"], {"name": "Penyusup", "role": "anggota"})


def test_remove_a_member(session, world):
    a = world.a["id"]
    member = call(session, kims.add_member, INSIDE, a, {"name": "Anggota Baru", "role": "anggota",
                                                        "phone": "0813 55555555"})
    assert member["id"] in {m["id"] for m in call(session, kims.list_members, INSIDE, a)["items"]}
    refused(session, OutOfScope, kims.remove_member, OUTSIDE, a, member["id"])
    call(session, kims.remove_member, INSIDE, a, member["id"])
    left = {m["id"] for m in call(session, kims.list_members, INSIDE, a)["items"]}
    assert member["id"] not in left and world.a_ketua["id"] in left
    refused(session, NotFound, kims.remove_member, INSIDE, a, member["id"])
    # another group's member is not found through this group
    refused(session, NotFound, kims.remove_member, ADMIN, a, world.b_ketua["id"])


# --- activities ---------------------------------------------------------------------

def test_activities(session, world):
    a = world.a["id"]
    held_on = (kims.today(ZONE) - timedelta(days=1)).isoformat()
    report = {"date": held_on, "title": "Sosialisasi", "kind": "diseminasi", "participants": 45,
              "place": "Balai Kelurahan Jadirejo"}
    activity = call(session, kims.report_activity, world.own, a, report, timezone=ZONE)
    assert activity["kim_id"] == a and activity["title"] == report["title"]
    assert activity["participants"] == 45 and activity["date"] == held_on
    for actor in (world.own, ADMIN, INSIDE):
        listed = call(session, kims.list_activities, actor, a)
        assert [x["id"] for x in listed["items"]] == [activity["id"]] and listed["total"] == 1
    for actor in (world.other, OUTSIDE, PUBLIC):
        refused(session, OutOfScope, kims.list_activities, actor, a)
        refused(session, OutOfScope, kims.report_activity, actor, a, report, timezone=ZONE)
    assert call(session, kims.list_activities, ADMIN, a)["total"] == 1


# --- status --------------------------------------------------------------------------

def test_status_vakum_with_history(session, world):
    kim = call(session, kims.register_kim, ADMIN, group_data("KIM Status", PEKANBARU_OTHER_VILLAGE, "SCOPE/STATUS"),
               timezone=ZONE)
    changed = call(session, kims.change_status, INSIDE, kim["id"], "vakum", "Pengurus pindah kerja")
    assert changed["status"] == "vakum" and changed["version"] == 2
    history = call(session, kims.status_history, INSIDE, kim["id"])
    assert history["status"] == "vakum" and history["kim_id"] == kim["id"]
    assert [(h["old"], h["new"], h["reason"]) for h in history["history"]] == [
        (None, "active", "registered"), ("active", "vakum", "Pengurus pindah kerja")]
    for actor in (OUTSIDE, world.other, PUBLIC):
        refused(session, OutOfScope, kims.status_history, actor, kim["id"])
        refused(session, OutOfScope, kims.change_status, actor, kim["id"], "active", "Bangkit lagi")
    assert call(session, kims.status_history, ADMIN, kim["id"])["status"] == "vakum"


def test_a_group_cannot_dissolve_itself(session, world):
    before = call(session, kims.status_history, world.own, world.a["id"])
    error = refused(session, InvalidTransition, kims.change_status, world.own, world.a["id"], "dissolved",
                    "Kami bubar")
    assert "dissolved" not in error.extra["allowed"]
    after = call(session, kims.status_history, world.own, world.a["id"])
    assert after["status"] == before["status"] and len(after["history"]) == len(before["history"])


def test_dissolved_is_final(session, world):
    kim = call(session, kims.register_kim, ADMIN, group_data("KIM Bubar", PEKANBARU_THIRD_VILLAGE, "SCOPE/BUBAR"),
               timezone=ZONE)
    assert call(session, kims.change_status, INSIDE, kim["id"], "dissolved", "SK dicabut lurah")["status"] == \
        "dissolved"
    error = refused(session, InvalidTransition, kims.change_status, INSIDE, kim["id"], "active", "Dibentuk lagi")
    assert error.extra["allowed"] == []
    assert call(session, kims.status_history, INSIDE, kim["id"])["status"] == "dissolved"
