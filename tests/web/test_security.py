"""CSRF on every form and on the API by cookie, one group kept out of
another's pages, and the canaries: personal data only where it belongs."""
import json
import random
import re
import uuid

import httpx
import kombu

from services.common.testing import bus_connection
from tests.conftest import wait_for
from tests.web.people import csrf, new_account, sign_in, unique, visitor


def _register(admin, name: str, village: str = "14.71.01.1002", **fields) -> dict:
    response = admin.post("/api/v1/kims", json={
        "name": name, "village_code": village, "classification": "tumbuh",
        "sk": {"number": unique("SK/"), "date": "2024-02-01", "issuer": "Lurah"}, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def test_forms_without_their_csrf_token_are_refused_and_change_nothing(platform):
    with platform.admin as admin:
        operator = sign_in(platform, new_account(admin, "operator", scope_region="14.71"))
        name = unique("KIM Tanpa Token ")
        form = {"name": name, "village_code": "14.71.01.1002", "sk.number": unique("SK/"), "sk.date": "2024-01-01",
                "sk.issuer": "Lurah", "classification": "tumbuh"}
        for token in (None, "salah", csrf(visitor(platform).get("/masuk").text)):  # none, wrong, someone else's
            data = form if token is None else {**form, "csrf_token": token}
            refused = operator.post("/konsol/kim/baru", data=data)
            assert refused.status_code == 403 and "Formulir ini kedaluwarsa" in refused.text
        assert admin.get("/api/v1/kims", params={"q": name}).json()["total"] == 0
        # a citizen's form needs it too
        citizen = visitor(platform)
        citizen.get("/aspirasi")
        refused = citizen.post("/aspirasi", data={"kind": "aspirasi", "category": "sosial", "body": "Tanpa token.",
                                                  "village_code": "14.71.01.1002"})
        assert refused.status_code == 403


def test_a_form_with_files_where_text_belongs_is_refused_and_changes_nothing(platform):
    """The website takes no files: a CSRF token sent as a file is no token (403), and any
    other field sent as a file counts as not filled in (the page names it), never a 500."""
    with platform.admin as admin:
        operator = sign_in(platform, new_account(admin, "operator", scope_region="14.71"))
        token = csrf(operator.get("/konsol/kim/baru").text)
        name = unique("KIM Berkas ")
        form = {"name": name, "village_code": "14.71.01.1002", "sk.number": unique("SK/"), "sk.date": "2024-01-01",
                "sk.issuer": "Lurah", "classification": "tumbuh"}
        as_file = operator.post("/konsol/kim/baru", data=form, files={"csrf_token": ("token.txt", token.encode())})
        assert as_file.status_code == 403 and "Formulir ini kedaluwarsa" in as_file.text
        named = operator.post("/konsol/kim/baru", data={**{k: v for k, v in form.items() if k != "name"},
                                                        "csrf_token": token},
                              files={"name": ("nama.txt", name.encode())})
        assert 400 <= named.status_code < 500, named.status_code
        assert 'id="f-name-error"' in named.text
        assert admin.get("/api/v1/kims", params={"q": name}).json()["total"] == 0
    citizen = visitor(platform)
    citizen_token = csrf(citizen.get("/aspirasi").text)
    refused = citizen.post("/aspirasi", data={"kind": "aspirasi", "category": "sosial", "village_code": "14.71.01.1002",
                                              "csrf_token": citizen_token},
                           files={"body": ("isi.txt", b"Isi aspirasi sebagai berkas.")})
    assert 400 <= refused.status_code < 500 and 'id="f-body-error"' in refused.text


def test_the_api_by_session_cookie_needs_the_csrf_header_for_changes(platform):
    with platform.admin as admin:
        operator = sign_in(platform, new_account(admin, "operator", scope_region="14.71"))
    token = re.search(r'name="csrf-token" content="([^"]+)"', operator.get("/konsol").text).group(1)
    assert operator.get("/api/v1/kims", params={"limit": 1}).status_code == 200
    body = {"target": {"regions": ["14.71"]}}
    refused = operator.post("/api/v1/broadcasts/preview", json=body)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
    assert operator.post("/api/v1/broadcasts/preview", json=body, headers={"X-CSRF-Token": "x"}).status_code == 403
    counted = operator.post("/api/v1/broadcasts/preview", json=body, headers={"X-CSRF-Token": token})
    assert counted.status_code == 200 and "recipients" in counted.json()


def test_a_group_cannot_open_another_groups_pages(platform):
    with platform.admin as admin:
        mine, theirs = _register(admin, unique("KIM Kami ")), _register(admin, unique("KIM Mereka "))
        group = sign_in(platform, new_account(admin, "kim", kim_id=mine["id"]))
        broadcast = admin.post("/api/v1/broadcasts", json={
            "title": "Untuk semua di Jadirejo", "body": "Isi.", "category": "pengumuman",
            "target": {"regions": ["14.71.01.1002"]}}).json()
        admin.post(f"/api/v1/broadcasts/{broadcast['id']}/publish")
    with platform.admin as admin:
        def both():
            found = {d["kim_id"]: d["id"] for d in admin.get(
                f"/api/v1/broadcasts/{broadcast['id']}/deliveries", params={"limit": 500}).json()["items"]}
            return found if mine["id"] in found and theirs["id"] in found else None
        deliveries = wait_for(both, message="both groups' deliveries")
    for path in ("/konsol", f"/konsol/kim/{theirs['id']}", "/konsol/aspirasi", "/konsol/akun"):
        assert group.get(path).status_code == 403, path
    token = csrf(group.get("/portal").text)
    other = group.post(f"/portal/pesan/{deliveries[theirs['id']]}/terima", data={"csrf_token": token})
    assert other.status_code == 404
    assert group.get(f"/api/v1/kims/{theirs['id']}/inbox").status_code in (403, 404)
    own = group.post(f"/portal/pesan/{deliveries[mine['id']]}/terima", data={"csrf_token": token})
    assert own.status_code == 303


class Canaries:
    """Unique strings in every personal field, each with the places it belongs."""

    def __init__(self):
        n = random.randrange(1000, 9999)
        tag = uuid.uuid4().hex[:8]
        self.values = {
            "contact_person": f"Kanari Narahubung {tag}", "contact_phone": f"+62 811 {n} 1001",
            "contact_email": f"kanari.kontak.{tag}@contoh.id",
            "member_name": f"Kanari Anggota {tag}", "member_phone": f"+62 811 {n} 1002",
            "citizen_name": f"Kanari Warga {tag}", "citizen_phone": f"+62 811 {n} 1003",
            "citizen_email": f"kanari.warga.{tag}@contoh.id",
            "open311_name": f"Kanari Open {tag}", "open311_phone": f"(0761) {n}1004",
            "open311_stored_phone": f"0761 {n}1004", "open311_email": f"kanari.open.{tag}@contoh.id",
            "anonim_body": f"Kanari isi anonim {tag}", "rahasia_body": f"Kanari isi rahasia {tag}",
            "rahasia_name": f"Kanari Rahasia {tag}", "dead_name": f"Kanari Surat Mati {tag}",
            "dead_phone": f"+62 811 {n} 1005", "dead_email": f"kanari.mati.{tag}@contoh.id",
            "channel_phone": f"+62811{n}1006",  # issue 16: a group's WhatsApp channel, then erased
        }

    def found(self, text: str, allowed=()) -> list[str]:
        return [k for k, v in self.values.items() if k not in allowed and v in text]


BODIES = ("anonim_body",)  # a tracking code's holder reads the text of an aspiration that is not rahasia


def test_canaries_appear_only_where_they_belong(platform, keys):
    """Personal fields filled with canaries (a group's contact and member, citizens' name, phone and
    e-mail through the API, the website and Open311, anonim and rahasia bodies, a submission that ends
    in the dead letters); then every public and cross-tenant read, every page, the logs, the events on
    the bus, the dead-letter headers and /metrics: no canary where it does not belong."""
    c = Canaries()
    v = c.values
    amqp = platform.env["AMQP_URI"]
    with bus_connection(amqp) as conn:  # every event published from now on
        bus = kombu.Queue(f"test-canaries-{uuid.uuid4().hex[:6]}", durable=False, auto_delete=False)
        bus = bus(conn.channel())
        bus.declare()
        for service in ("registry", "broadcast", "aspirations", "channels"):
            exchange = kombu.Exchange(f"{service}.events", "topic", durable=True)(conn.channel())
            exchange.declare()
            bus.bind_to(exchange=f"{service}.events", routing_key="#")

    with platform.admin as admin:
        kim = _register(admin, unique("KIM Kanari "), lat=0.51, lon=101.45, contact={
            "person": v["contact_person"], "phone": v["contact_phone"], "email": v["contact_email"]})
        assert admin.post(f"/api/v1/kims/{kim['id']}/members", json={
            "name": v["member_name"], "role": "anggota", "phone": v["member_phone"]}).status_code == 201
        assert admin.post(f"/api/v1/kims/{kim['id']}/channels", json={
            "kind": "whatsapp", "address": v["channel_phone"], "consent_version": "2026-11"}).status_code == 201
    # a citizen through the website: anonim, through the group; then rahasia
    citizen = visitor(platform)
    page = citizen.get("/aspirasi")
    sent = citizen.post("/aspirasi", data={
        "csrf_token": csrf(page.text), "kind": "pengaduan", "category": "infrastruktur", "body": v["anonim_body"],
        "village_code": "14.71.01.1002", "kim_id": kim["id"], "submitter.name": v["citizen_name"],
        "submitter.phone": v["citizen_phone"], "submitter.email": v["citizen_email"], "anonim": "ya"})
    assert sent.status_code == 202, sent.text
    code = re.search(r'id="kode-pelacakan">([A-Z0-9]+)<', sent.text).group(1)
    secret_one = citizen.post("/aspirasi", data={
        "csrf_token": csrf(page.text), "kind": "pengaduan", "category": "keamanan", "body": v["rahasia_body"],
        "village_code": "14.71.01.1002", "submitter.name": v["rahasia_name"], "rahasia": "ya"})
    secret_code = re.search(r'id="kode-pelacakan">([A-Z0-9]+)<', secret_one.text).group(1)
    # a citizen who chooses to publish, on the website: listed for everyone, without the contact
    published = citizen.post("/aspirasi", data={
        "csrf_token": csrf(page.text), "kind": "aspirasi", "category": "lingkungan",
        "body": f"Taman kota perlu tempat sampah {code}", "village_code": "14.71.01.1002",
        "submitter.name": v["citizen_name"], "submitter.phone": v["citizen_phone"], "publik": "ya"})
    published_code = re.search(r'id="kode-pelacakan">([A-Z0-9]+)<', published.text).group(1)
    with platform.client() as client:
        # an Open311 client, once with a phone as people write it, once with a name too long
        created = client.post("/open311/v2/requests.json", data={
            "api_key": keys["pekanbaru"]["key"], "service_code": "infrastruktur", "description": "Got mampet.",
            "address_id": "14.71.01.1002", "first_name": v["open311_name"], "phone": v["open311_phone"],
            "email": v["open311_email"]})
        assert created.status_code == 201, created.text
        open311_code = created.json()[0]["service_request_id"]
        too_long = client.post("/open311/v2/requests.json", data={
            "api_key": keys["pekanbaru"]["key"], "service_code": "infrastruktur", "description": "Got mampet.",
            "address_id": "14.71.01.1002", "first_name": v["open311_name"] + "x" * 100,
            "phone": v["open311_phone"], "email": v["open311_email"]})
        assert too_long.status_code == 400 and not c.found(too_long.text)
        for tracking in (code, secret_code, published_code, open311_code):
            wait_for(lambda t=tracking: client.get(f"/api/v1/aspirations/track/{t}").status_code == 200,
                     message="the aspirations stored")
    # a submission put on the intake queue by something other than the gateway, breaking its rules
    with bus_connection(amqp) as conn:
        conn.Producer().publish(json.dumps({
            "type": "aspiration_submission", "id": str(uuid.uuid4()), "tracking_code": "KANARI" + code[:4],
            "submitted_at": "2026-11-30T09:00:00+07:00", "submitted_by": "public", "data": {
                "kind": "pengaduan", "category": "İ" * 50, "body": "Jalan rusak di depan pasar.",
                "village_code": "14.71.01.1002",
                "submitter": {"name": v["dead_name"], "phone": v["dead_phone"], "email": v["dead_email"]}}}),
            exchange="aspirations.intake", routing_key="aspirations.intake", content_type="application/json")
    dead = wait_for(lambda: _dead_letters(amqp, "aspirations"), message="the bad submission in the dead letters")

    # --- what everyone may read ------------------------------------------------------------
    with platform.client() as anyone:
        public = [anyone.get(path) for path in (
            "/api/v1/public/kims?limit=500", f"/api/v1/public/kims?q={kim['name']}", f"/api/v1/public/kims/{kim['id']}",
            "/api/v1/public/coverage/14.71.01.1002", "/api/v1/public/coverage/ID", "/api/v1/regions/14.71.01.1002",
            "/open311/v2/requests.json", "/open311/v2/requests.json?status=open&service_code=infrastruktur",
            f"/open311/v2/requests/{secret_code}.json", f"/api/v1/aspirations/track/{secret_code}",
            f"/open311/v2/requests.json?service_request_id={secret_code},{open311_code}",
            f"/open311/v2/requests/{open311_code}.json", "/open311/v2/services.json")]
        by_code = [anyone.get(f"/api/v1/aspirations/track/{code}"), anyone.get(f"/open311/v2/requests/{code}.json")]
        listed = anyone.get("/open311/v2/requests.json").json()
        assert published_code in {r["service_request_id"] for r in listed}  # its submitter chose to publish it
        assert not {code, secret_code, open311_code} & {r["service_request_id"] for r in listed}
    for response in public:
        assert response.status_code == 200, (response.request.url, response.text)
        assert not c.found(response.text), (str(response.request.url), c.found(response.text))
    for response in by_code:  # the holder of the code reads the text, never who sent it
        assert v["anonim_body"] in response.text and not c.found(response.text, BODIES), response.text

    # --- what another tenant may read: another group, another regency's operator ------------------
    other_group, dumai = keys["kim"], keys["dumai"]
    with platform.client(other_group["key"]) as group, platform.client(dumai["key"]) as operator:
        cross = [group.get(path) for path in (
            f"/api/v1/kims/{kim['id']}", f"/api/v1/kims/{kim['id']}/members", f"/api/v1/kims/{kim['id']}/activities",
            f"/api/v1/kims/{kim['id']}/status", f"/api/v1/kims/{kim['id']}/inbox", "/api/v1/aspirations?limit=500",
            f"/api/v1/kims/{other_group['kim_id']}/inbox", "/api/v1/public/kims?limit=500")]
        cross += [operator.get(path) for path in (
            "/api/v1/kims?limit=500", f"/api/v1/kims/{kim['id']}", f"/api/v1/kims/{kim['id']}/members",
            "/api/v1/aspirations?limit=500", "/api/v1/aspirations?region=14.71", "/api/v1/aspirations/stats",
            "/api/v1/coverage/14.72", "/api/v1/broadcasts")]
        # issue 16: another regency's office searching for the people of this one finds nothing
        cross += [operator.post(f"/api/v1/privacy/{action}", json={"phone": v[field]})
                  for action in ("search", "export") for field in ("member_phone", "citizen_phone", "channel_phone")]
    for response in cross:
        assert response.status_code in (200, 403, 404), (response.request.url, response.text)
        assert not c.found(response.text), (str(response.request.url), c.found(response.text))

    # --- every page, for a visitor and for another tenant's people ---------------------------------
    with platform.admin as admin:
        group_person = sign_in(platform, new_account(admin, "kim", kim_id=other_group["kim_id"]))
        operator_person = sign_in(platform, new_account(admin, "operator", scope_region="14.72"))
    pages = ["/", "/peta", "/peta/14.71", "/peta/14.71.01", "/peta/14.71.01.1002", f"/kim?q={kim['name']}",
             f"/kim/{kim['id']}", "/kim", "/aspirasi", f"/aspirasi?kim={kim['id']}", f"/lacak/{secret_code}",
             "/lacak", "/masuk", "/tidak-ada"]
    for browser, paths in ((visitor(platform), pages),
                           (group_person, ["/portal", "/portal/kegiatan", "/portal/aspirasi", "/portal/saluran", *pages]),
                           (operator_person, ["/konsol", "/konsol/kim", f"/konsol/kim/{kim['id']}", "/konsol/siaran",
                                              "/konsol/aspirasi", "/konsol/angka", "/konsol/akun",
                                              "/konsol/angka/aspirasi.csv", "/konsol/angka/cakupan.csv",
                                              "/konsol/evaluasi", "/konsol/evaluasi/laporan.csv", "/konsol/privasi"])):
        for path in paths:
            html = browser.get(path).text
            assert not c.found(html), (path, c.found(html))
    tracked_page = visitor(platform).get(f"/lacak/{code}").text
    assert v["anonim_body"] in tracked_page and not c.found(tracked_page, BODIES)

    # --- issue 16: the handling office erases the member and the channel; the access log names no one ------
    with platform.client(keys["pekanbaru"]["key"]) as office, platform.admin as admin:
        for field in ("member_phone", "channel_phone"):
            asked = office.post("/api/v1/privacy/erasures", json={"phone": v[field], "reason": "Permintaan uji"})
            assert asked.status_code == 202 and not c.found(asked.text), asked.text
            wait_for(lambda a=asked: office.get(a.headers["location"]).json()["status"] == "done", timeout=60,
                     message="the erasure done by every service")
        for path in ("/api/v1/privacy/access-log?limit=500", "/api/v1/privacy/access-log?format=csv",
                     "/api/v1/privacy/erasures"):
            answer = admin.get(path)
            assert answer.status_code == 200 and not c.found(answer.text), (path, c.found(answer.text))

    # --- the logs, the events on the bus, the dead letters' headers, the metrics -------------------
    assert not c.found(platform.log()), c.found(platform.log())
    with bus_connection(amqp) as conn:
        events = []
        queue = bus(conn.channel())
        while (message := queue.get(no_ack=True)) is not None:
            events.append(message.body.decode() if isinstance(message.body, bytes) else str(message.body))
        queue.delete()
    assert any(code in event for event in events) and any(open311_code in event for event in events)
    assert any("personal_data_erased" in event for event in events)
    assert not c.found("\n".join(events)), c.found("\n".join(events))
    assert dead and all(not c.found(json.dumps(headers, ensure_ascii=False, default=str)) for headers in dead), dead
    assert any(h.get("x-kim-error", "").startswith("Unprocessable: category") for h in dead), dead
    ports = [platform.env[f"{s.upper()}_METRICS_PORT"] for s in ("registry", "broadcast", "aspirations", "channels")]
    for url in (f"{platform.url}/metrics", *(f"http://127.0.0.1:{port}/metrics" for port in ports)):
        text = httpx.get(url, timeout=10).text
        assert "kim_" in text and not c.found(text), (url, c.found(text))
    with platform.client(keys["pekanbaru"]["key"]) as office:  # the handling office does see who sent it
        def handled(tracking: str) -> dict:  # by its code: the session's platform may hold >500 in the work queue
            return office.get("/api/v1/aspirations", params={"tracking_code": tracking}).json()["items"][0]
        assert handled(code)["submitter"]["phone"] == v["citizen_phone"]
        assert handled(open311_code)["submitter"]["phone"] == v["open311_stored_phone"]


def _dead_letters(amqp: str, service: str) -> list[dict]:
    """The headers of the service's dead letters (left in place)."""
    headers, messages = [], []
    with bus_connection(amqp) as conn:
        channel = conn.channel()
        queue = kombu.Queue(f"{service}.dead-letters", durable=True)(channel)
        while (message := queue.get(no_ack=False)) is not None:
            messages.append(message)
            headers.append(dict(message.headers or {}))
        for message in messages:
            message.reject(requeue=True)
    return headers
