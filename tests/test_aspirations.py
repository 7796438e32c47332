"""Aspirations end to end: intake, tracking, the office's workflow, the answer
carried back to the KIM's inbox, privacy on every read path, scope."""
import os
import re
import signal
import uuid

import pytest

from tests.conftest import wait_for, wait_for_broadcast_directory

TRACKING = re.compile(r"^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{10}$")


def aspiration(**fields):
    return {"kind": "pengaduan", "category": "infrastruktur", "body": "Jalan di RT 03 berlubang sejak Oktober.",
            "village_code": "14.71.01.1002", **fields}


def tracked(client, code):
    return wait_for(lambda: (r := client.get(f"/api/v1/aspirations/track/{code}")).status_code == 200 and r.json(),
                    message=f"aspiration {code} to be stored")


@pytest.fixture(scope="module")
def group(platform, keys):
    run = uuid.uuid4().hex[:6]
    with platform.admin as admin:
        kim = admin.post("/api/v1/kims", json={
            "name": f"KIM Aspirasi {run}", "village_code": "14.71.01.1002", "classification": "tumbuh",
            "sk": {"number": f"ASP/{run}", "date": "2024-05-05", "issuer": "Lurah"}}).json()
        key = admin.post("/api/v1/keys", json={"name": "KIM Aspirasi", "role": "kim", "kim_id": kim["id"]}).json()
        # both services learn about the group from the registry's events
        wait_for_broadcast_directory(admin, kim["id"])
    return {"id": kim["id"], "key": key["key"]}


def test_submit_anonymously_track_and_walk_the_workflow_to_the_groups_inbox(platform, keys, group):
    phone = "+62 812 5555 0101"
    with platform.client() as citizen:
        first = citizen.post("/api/v1/aspirations", json=aspiration(
            submitter={"name": "Budi Santoso", "phone": phone}, anonim=True))
        assert first.status_code == 202, first.text
        code = first.json()["tracking_code"]
        assert TRACKING.match(code)
        public = tracked(citizen, code)
        assert public["status"] == "received" and public["response"] is None
        assert "Budi" not in str(public) and "5555" not in str(public)
    with platform.client(group["key"]) as kim:
        filed = wait_for(lambda: (r := kim.post("/api/v1/aspirations", json=aspiration(
            kind="aspirasi", category="kesehatan", body="Mohon posyandu dibuka hari Sabtu.",
            submitter={"name": "Siti Rahma", "phone": "+62 813 7777 0202"}))).status_code == 202 and r,
            message="the group to be known to the aspirations service")
        via_kim = filed.json()["tracking_code"]
    with platform.client(keys["pekanbaru"]["key"]) as operator:
        stored = tracked(operator, via_kim)
        queue = operator.get("/api/v1/aspirations", params={"limit": 500}).json()
        mine = {a["tracking_code"]: a for a in queue["items"]}
        assert code in mine and via_kim in mine
        assert mine[code]["submitter"]["name"] == "Budi Santoso"  # the handling office sees who
        assert mine[via_kim]["kim_id"] == group["id"]
        aspiration_id = mine[via_kim]["id"]
        # a citizen on the phone gives the code: the office finds that one aspiration
        one = operator.get("/api/v1/aspirations", params={"tracking_code": via_kim.lower()}).json()
        assert [a["id"] for a in one["items"]] == [aspiration_id]
    with platform.client(keys["dumai"]["key"]) as elsewhere:
        assert elsewhere.get("/api/v1/aspirations", params={"tracking_code": via_kim}).json()["total"] == 0
    with platform.client(keys["pekanbaru"]["key"]) as operator:

        illegal = operator.post(f"/api/v1/aspirations/{aspiration_id}/transition", json={"to": "responded"})
        assert illegal.status_code == 409 and set(illegal.json()["allowed"]) == {"verified", "rejected"}
        for step in ({"to": "verified", "note": "Lengkap"}, {"to": "forwarded", "note": "Ke Dinas Kesehatan"},
                     {"to": "responded", "note": "Dijawab", "response": "Posyandu buka Sabtu mulai Januari."}):
            moved = operator.post(f"/api/v1/aspirations/{aspiration_id}/transition", json=step)
            assert moved.status_code == 200, moved.text
        detail = operator.get(f"/api/v1/aspirations/{aspiration_id}").json()
        assert [h["new"] for h in detail["history"]] == ["received", "verified", "forwarded", "responded"]
        assert detail["history"][1]["actor"].startswith("operator:")
        assert stored["status"] == "received"
    with platform.client() as citizen:
        answered = citizen.get(f"/api/v1/aspirations/track/{via_kim}").json()
        assert answered["status"] == "responded" and answered["response"] == "Posyandu buka Sabtu mulai Januari."
        assert "actor" not in str(answered["history"]) and "Siti" not in str(answered)
    with platform.client(group["key"]) as kim:
        inbox = wait_for(lambda: [m for m in kim.get(f"/api/v1/kims/{group['id']}/inbox").json()["items"]
                                  if m["kind"] == "aspiration_answer"], message="the answer in the inbox")
        assert inbox[0]["message"]["response"] == "Posyandu buka Sabtu mulai Januari."
        own = kim.get("/api/v1/aspirations").json()["items"]
        assert [a["tracking_code"] for a in own] == [via_kim]
    with platform.client(keys["pekanbaru"]["key"]) as operator:
        figures = operator.get("/api/v1/aspirations/stats", params={"region": "14.71"}).json()
        assert figures["by_status"]["responded"] >= 1 and figures["by_kind"]["aspirasi"] >= 1
        assert figures["median_hours_to_first_response"] is not None
        exported = operator.get("/api/v1/aspirations/stats", params={"format": "csv"})
        assert exported.headers["content-type"].startswith("text/csv") and exported.text.startswith("ukuran,nilai")


def test_the_other_regency_sees_nothing_and_privacy_holds(platform, keys, group):
    with platform.client() as citizen:
        secret = citizen.post("/api/v1/aspirations", json=aspiration(
            body="Ada pungutan liar di kantor desa.", rahasia=True, submitter={"name": "Rahasia", "email": "r@x.id"}))
        code = secret.json()["tracking_code"]
        private = tracked(citizen, code)
        assert private == {"tracking_code": code, "status": "received", "rahasia": True}
    with platform.client(keys["pekanbaru"]["key"]) as operator:
        item = next(a for a in operator.get("/api/v1/aspirations", params={"limit": 500}).json()["items"]
                    if a["tracking_code"] == code)
        assert item["submitter"]["email"] == "r@x.id"
    with platform.client(keys["dumai"]["key"]) as dumai:
        assert dumai.get(f"/api/v1/aspirations/{item['id']}").status_code == 404
        assert dumai.post(f"/api/v1/aspirations/{item['id']}/transition", json={"to": "verified"}).status_code == 404
        assert code not in str(dumai.get("/api/v1/aspirations", params={"limit": 500}).json())
        assert dumai.get("/api/v1/aspirations", params={"region": "14.71"}).status_code == 403
    with platform.client(group["key"]) as kim:
        assert kim.get(f"/api/v1/aspirations/{item['id']}").status_code == 404  # not filed by this group
        hidden = kim.post("/api/v1/aspirations", json=aspiration(
            body="Warga minta namanya dirahasiakan.", anonim=True, submitter={"name": "Warga Anonim"}))
        hidden_code = hidden.json()["tracking_code"]
        tracked(kim, hidden_code)
        mine = next(a for a in kim.get("/api/v1/aspirations").json()["items"] if a["tracking_code"] == hidden_code)
        assert mine["submitter"] == {} and "Warga Anonim" not in kim.get(f"/api/v1/aspirations/{mine['id']}").text
    with platform.client(keys["pekanbaru"]["key"]) as operator:
        seen = operator.get(f"/api/v1/aspirations/{mine['id']}").json()
        assert seen["submitter"]["name"] == "Warga Anonim"  # the handling office knows who
    with platform.client(group["key"]) as kim:
        assert kim.post(f"/api/v1/aspirations/{item['id']}/transition", json={"to": "verified"}).status_code == 403
    with platform.client() as anyone:
        assert anyone.get("/api/v1/aspirations").status_code == 401
        assert anyone.get("/api/v1/aspirations/track/ZZZZZZZZZZ").status_code == 404


def test_an_idempotency_key_retry_creates_one_aspiration(platform, keys):
    key = uuid.uuid4().hex
    body = aspiration(body=f"Lampu jalan mati {key}", village_code="14.71.01.1003")
    with platform.client(**{"Idempotency-Key": key}) as citizen:
        first = citizen.post("/api/v1/aspirations", json=body)
        again = citizen.post("/api/v1/aspirations", json=body)
        assert first.status_code == again.status_code == 202
        assert first.json()["tracking_code"] == again.json()["tracking_code"]
        assert again.headers.get("idempotent-replayed") == "true"
        tracked(citizen, first.json()["tracking_code"])
    with platform.client(keys["pekanbaru"]["key"]) as operator:
        items = operator.get("/api/v1/aspirations", params={"limit": 500}).json()["items"]
        assert sum(1 for a in items if key in a["body"]) == 1


def test_bad_submissions_are_refused(platform, keys, group):
    with platform.admin as admin:
        dissolved = admin.post("/api/v1/kims", json={
            "name": f"KIM Bubar {uuid.uuid4().hex[:6]}", "village_code": "14.71.01.1002", "classification": "tumbuh",
            "sk": {"number": f"BUBAR/{uuid.uuid4().hex[:6]}", "date": "2024-05-05", "issuer": "Lurah"}}).json()
        admin.post(f"/api/v1/kims/{dissolved['id']}/status", json={"status": "dissolved", "reason": "bubar"})
    with platform.client() as citizen:
        for body, status in [
            (aspiration(village_code="14.71.01.9999"), 422),
            (aspiration(kind="curhat"), 422),
            (aspiration(body="x" * 300_000), 413),
            (aspiration(kim_id="KIM-0000000000-01"), 422),
            (aspiration(category="Jalan Rusak!"), 422),
            (aspiration(category="İ" * 50), 422),  # 100 characters once lower-cased
            (aspiration(category="- -"), 422),  # nothing once normalised
            (aspiration(secret="x"), 422),
            (aspiration(attachments=["file:///etc/passwd"]), 422),
        ]:
            response = citizen.post("/api/v1/aspirations", json=body)
            assert response.status_code == status, (body, response.text[:200])
            assert response.headers["content-type"].startswith("application/problem+json")
        wait_for(lambda: citizen.post("/api/v1/aspirations", json=aspiration(kim_id=dissolved["id"]))
                 .status_code == 422, message="the dissolved group to be refused")
    with platform.client(group["key"]) as kim:
        assert kim.post("/api/v1/aspirations", json=aspiration(kim_id=dissolved["id"])).status_code == 403


def test_an_open311_client_round_trip(platform, keys):
    with platform.client() as client:
        assert client.get("/open311/v2/discovery.json").json()["endpoints"][0]["specification"].endswith("GeoReport_v2")
        services = {s["service_code"] for s in client.get("/open311/v2/services.json").json()}
        assert {"infrastruktur", "kesehatan"} <= services
        created = client.post("/open311/v2/requests.json", data={
            "api_key": keys["pekanbaru"]["key"], "service_code": "infrastruktur",
            "description": "Lampu jalan padam di depan masjid.", "address_id": "14.71.01.1002",
            "first_name": "Andi", "phone": "+62 811 2222 3333"})
        assert created.status_code == 201, created.text
        request_id = created.json()[0]["service_request_id"]
        assert TRACKING.match(request_id)
        one = wait_for(lambda: (r := client.get(f"/open311/v2/requests/{request_id}.json")).status_code == 200
                       and r.json(), message="the Open311 request")
        assert one[0]["status"] == "open" and one[0]["service_code"] == "infrastruktur"
        assert "Andi" not in str(one) and "2222" not in str(one)
        listed = client.get("/open311/v2/requests.json", params={"service_request_id": request_id}).json()
        assert [r["service_request_id"] for r in listed] == [request_id]
        # an Open311 request is not published unless it says so
        assert request_id not in [r["service_request_id"] for r in client.get(
            "/open311/v2/requests.json", params={"service_code": "infrastruktur", "status": "open"}).json()]
        published = client.post("/open311/v2/requests.json", data={
            "api_key": keys["pekanbaru"]["key"], "service_code": "infrastruktur", "publik": "true",
            "description": "Lampu taman padam sejak Senin.", "address_id": "14.71.01.1002",
            "first_name": "Andi", "phone": "(0761) 12345"})
        assert published.status_code == 201, published.text
        published_id = published.json()[0]["service_request_id"]
        wait_for(lambda: client.get(f"/open311/v2/requests/{published_id}.json").status_code == 200,
                 message="the published request")
        listed = client.get("/open311/v2/requests.json", params={"service_code": "infrastruktur", "status": "open"})
        assert published_id in [r["service_request_id"] for r in listed.json()]
        assert "Andi" not in listed.text and "12345" not in listed.text
    with platform.client(keys["pekanbaru"]["key"]) as operator:
        item = next(a for a in operator.get("/api/v1/aspirations", params={"limit": 500}).json()["items"]
                    if a["tracking_code"] == request_id)
        refused = operator.post(f"/api/v1/aspirations/{item['id']}/transition", json={"status": "rejected"})
        assert refused.status_code == 422  # a rejection needs its reason
        assert operator.post(f"/api/v1/aspirations/{item['id']}/transition",
                             json={"status": "rejected", "reason": "Bukan kewenangan kota"}).status_code == 200
        assert operator.get(f"/api/v1/aspirations/{item['id']}").json()["history"][-1]["note"] == "Bukan kewenangan kota"
    with platform.client() as client:
        assert client.get(f"/open311/v2/requests/{request_id}.json").json()[0]["status"] == "closed"


def georeport_errors(response, status: int) -> list[dict]:
    """Open311 clients read errors as GeoReport errors: the status, and a list of code and description."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    errors = response.json()
    assert isinstance(errors, list) and errors, errors
    for error in errors:
        assert set(error) == {"code", "description"} and error["code"] == status and error["description"], error
    return errors


def test_open311_errors_are_georeport_errors_and_change_nothing(platform, keys):
    run = uuid.uuid4().hex[:8]
    form = {"api_key": keys["pekanbaru"]["key"], "service_code": "infrastruktur",
            "description": f"Jalan rusak {run} di depan sekolah.", "address_id": "14.71.01.1002"}
    with platform.client() as client:
        for changes, status, about in [
            ({"api_key": "kim_wrong_key_0000"}, 403, "api_key"),
            ({"service_code": "sihir"}, 400, "service_code"),
            ({"address_id": None, "lat": "0.51", "long": "101.45"}, 400, "address_id"),  # only a position
            ({"address_id": "14.71.01.9999"}, 400, "address_id"),
            ({"address_id": "Jalan Sudirman"}, 400, "address_id"),
            ({"description": "x"}, 400, "description"),
            ({"phone": "telepon saya (0761)"}, 400, "phone"),
            ({"email": "bukan-surel"}, 400, "email"),
            ({"first_name": "A" * 100, "last_name": "B" * 100}, 400, "first_name"),  # too long together
            ({"first_name": "A" * 101}, 400, "first_name"),
            ({"media_url": "file:///etc/passwd"}, 400, "media_url"),
            ({"lat": "utara"}, 400, "lat"),
            ({"publik": "mungkin"}, 400, "publik"),
        ]:
            data = {k: v for k, v in {**form, **changes}.items() if v is not None}
            errors = georeport_errors(client.post("/open311/v2/requests.json", data=data), status)
            assert about in " ".join(e["description"] for e in errors), (changes, errors)
            for key, value in changes.items():  # what was sent is not repeated back
                assert key == "address_id" or not value or len(value) < 8 or value not in str(errors), errors
        position_only = client.post("/open311/v2/requests.json",
                                    data={**{k: v for k, v in form.items() if k != "address_id"},
                                          "lat": "0.51", "long": "101.45"}, headers={"Accept-Language": "en"})
        assert "village code" in georeport_errors(position_only, 400)[0]["description"]
        missing = georeport_errors(client.post("/open311/v2/requests.json", data={"service_code": "infrastruktur"}),
                                   400)
        assert {"api_key", "description"} <= {e["description"].split(":")[0] for e in missing}
        georeport_errors(client.get("/open311/v2/requests/ZZZZZZZZZZ.json"), 404)
        georeport_errors(client.get("/open311/v2/requests/x.json"), 400)
        georeport_errors(client.get("/open311/v2/requests.json", params={"status": "selesai"}), 400)
        # a phone as people write it is taken
        written = client.post("/open311/v2/requests.json", data={**form, "phone": "(0761) 12345",
                                                                  "first_name": "Siti", "last_name": "Rahma"})
        assert written.status_code == 201, written.text
    with platform.client(keys["pekanbaru"]["key"]) as operator:
        stored = wait_for(lambda: [a for a in operator.get("/api/v1/aspirations", params={"limit": 500}).json()["items"]
                                   if run in a["body"]], message="the Open311 request stored")
        assert len(stored) == 1 and stored[0]["submitter"]["phone"] == "0761 12345"
        assert stored[0]["submitter"]["name"] == "Siti Rahma" and stored[0]["publik"] is False
    assert "12345" not in platform.log() and "Rahma" not in platform.log()


def test_the_open311_list_shows_only_what_submitters_chose_to_publish(platform, keys):
    run = uuid.uuid4().hex[:8]
    contact = {"name": f"Warga {run}", "phone": "+62 812 4242 0001", "email": f"warga{run}@contoh.id"}
    with platform.client() as citizen:
        codes = {}
        for kind, flags in (("private", {}), ("published", {"publik": True}), ("secret", {"rahasia": True})):
            sent = citizen.post("/api/v1/aspirations", json=aspiration(
                body=f"Aspirasi {kind} {run}", submitter=contact, attachments=[f"https://contoh.id/{kind}{run}.jpg"],
                **flags))
            assert sent.status_code == 202, sent.text
            codes[kind] = sent.json()["tracking_code"]
        both = citizen.post("/api/v1/aspirations", json=aspiration(publik=True, rahasia=True))
        assert both.status_code == 422 and both.json()["errors"][0]["field"] == "publik"
        for code in codes.values():
            tracked(citizen, code)
        listed = citizen.get("/open311/v2/requests.json")
        assert listed.status_code == 200
        shown = {r["service_request_id"]: r for r in listed.json()}
        assert codes["published"] in shown and shown[codes["published"]]["description"] == f"Aspirasi published {run}"
        assert codes["private"] not in shown and codes["secret"] not in shown
        assert f"private {run}" not in listed.text and f"secret {run}" not in listed.text
        for value in contact.values():
            assert value not in listed.text
        # by its code, a rahasia request shows its status and nothing else
        secret = citizen.get(f"/open311/v2/requests/{codes['secret']}.json")
        assert secret.json() == [{"service_request_id": codes["secret"], "status": "open"}]
        # by its code, an unpublished one shows what its tracking code shows, never the contact
        private = citizen.get(f"/open311/v2/requests/{codes['private']}.json")
        assert private.json()[0]["description"] == f"Aspirasi private {run}"
        assert not any(value in private.text for value in contact.values())
        assert f"private{run}" not in private.text  # nor its attachment: tracking never shows one either
        assert shown[codes["published"]]["media_url"] == f"https://contoh.id/published{run}.jpg"
    with platform.client(keys["pekanbaru"]["key"]) as operator:
        mine = {a["tracking_code"]: a for a in operator.get("/api/v1/aspirations", params={"limit": 500}).json()["items"]}
        assert mine[codes["published"]]["publik"] is True and mine[codes["private"]]["publik"] is False


def test_accepted_while_the_service_is_stopped_and_stored_once_it_is_back(platform):
    """Runs last: freezes the aspirations service, then thaws it."""
    with platform.admin as admin:
        before = admin.get("/api/v1/aspirations", params={"limit": 1}).json()["total"]
    pid = platform.pids["aspirations"]
    os.kill(pid, signal.SIGSTOP)
    codes = []
    try:
        with platform.client() as citizen:
            for n in range(500):
                response = citizen.post("/api/v1/aspirations", json=aspiration(body=f"Aspirasi ke-{n} saat layanan berhenti"))
                assert response.status_code == 202, response.text
                codes.append(response.json()["tracking_code"])
            assert citizen.get(f"/api/v1/aspirations/track/{codes[0]}").status_code == 503
    finally:
        os.kill(pid, signal.SIGCONT)
    assert len(set(codes)) == 500
    with platform.client() as citizen:
        wait_for(lambda: citizen.get(f"/api/v1/aspirations/track/{codes[-1]}").status_code == 200, timeout=120,
                 message="the backlog to be taken in")
        for code in codes:
            assert citizen.get(f"/api/v1/aspirations/track/{code}").status_code == 200, code
    with platform.admin as admin:
        assert admin.get("/api/v1/aspirations", params={"limit": 1}).json()["total"] == before + 500
