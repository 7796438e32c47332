"""Every operation of the OpenAPI document, tried by every role on objects
owned by the other tenant (issue 11, section 3).

Tenants: X (Kota Pekanbaru, 14.71) and Y (Kota Dumai, 14.72) in the province
of Riau (14), and Z (Kota Padang, 13.71) in another province. Each holds a
group with a member and a contact, a draft and a published broadcast (with a
delivery in the group's inbox), a rahasia aspiration that a citizen sent
naming the group, an API key and a kim account. Each role is tried on the
objects of the tenant it does not belong to (`TRIED_ON`): a group and an
operator of X on Y's, those of Y on X's, the province admin of Riau on Z's,
the national admin (and anonymous callers) on Y's. Offices are also tried on
what another office owns inside or above their own scope (`BESIDE`): a draft
written by the office above that targets their own region, and the account
of a colleague at their own level.

EXPECTED is the one table of statuses. A route missing from it (a new one)
fails the test until it is added. Besides the status, an answer to a role
that is not the national admin must not carry any of the tenant's private
values (its canaries: member and contact phones, the aspiration's body and
e-mail, ids of drafts, keys and accounts)."""
import uuid

import pytest

from tests.conftest import wait_for, wait_for_broadcast_directory

ROLES = ("anonymous", "kim_a", "kim_b", "operator_x", "operator_y", "province_admin", "national_admin")
TRIED_ON = {"anonymous": "Y", "kim_a": "Y", "kim_b": "X", "operator_x": "Y", "operator_y": "X",
            "province_admin": "Z", "national_admin": "Y"}
TENANTS = {"X": ("14.71", "14.71.01.1002"), "Y": ("14.72", "14.72.01.1003"), "Z": ("13.71", "13.71.01.1002")}

# The expected status of each operation for each role, on the other tenant's objects.
# Columns: anonymous, kim A, kim B, operator X, operator Y, province admin, national admin.
EXPECTED = {
    ("GET", "/api/v1/regions"):                                   (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/regions/{code}"):                            (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/regions/reassignments"):                     (401, 403, 403, 200, 200, 200, 200),
    ("POST", "/api/v1/kims"):                                     (401, 403, 403, 403, 403, 403, 201),
    # an office may upload any file: a row outside its scope is rejected in the job's report
    ("POST", "/api/v1/kims/import"):                              (401, 403, 403, 202, 202, 202, 202),
    ("GET", "/api/v1/kims/import/{job_id}"):                      (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/kims/import/{job_id}/report"):               (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/kims"):                                      (401, 200, 200, 403, 403, 403, 200),
    ("GET", "/api/v1/public/kims"):                               (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/public/kims/{kim_id}"):                      (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/kims/{kim_id}"):                             (401, 403, 403, 403, 403, 403, 200),
    ("PATCH", "/api/v1/kims/{kim_id}"):                           (401, 403, 403, 403, 403, 403, 200),
    ("POST", "/api/v1/kims/{kim_id}/members"):                    (401, 403, 403, 403, 403, 403, 201),
    ("GET", "/api/v1/kims/{kim_id}/members"):                     (401, 403, 403, 403, 403, 403, 200),
    ("DELETE", "/api/v1/kims/{kim_id}/members/{member_id}"):      (401, 403, 403, 403, 403, 403, 204),
    ("POST", "/api/v1/kims/{kim_id}/activities"):                 (401, 403, 403, 403, 403, 403, 201),
    ("GET", "/api/v1/kims/{kim_id}/activities"):                  (401, 403, 403, 403, 403, 403, 200),
    ("POST", "/api/v1/kims/{kim_id}/status"):                     (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/kims/{kim_id}/status"):                      (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/tags"):                                      (200, 200, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/tags"):                                     (401, 403, 403, 403, 403, 403, 201),
    ("GET", "/api/v1/coverage/{code}"):                           (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/public/coverage/{code}"):                    (200, 200, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/broadcasts"):                               (401, 403, 403, 403, 403, 403, 201),
    ("GET", "/api/v1/broadcasts"):                                (401, 403, 403, 200, 200, 200, 200),
    ("POST", "/api/v1/broadcasts/preview"):                       (401, 403, 403, 403, 403, 403, 200),
    # issue 16: changing the tenant's draft (before it is published below): its office's, or one above
    ("PATCH", "/api/v1/broadcasts/{broadcast_id}"):               (401, 403, 403, 404, 404, 404, 200),
    ("POST", "/api/v1/broadcasts/{broadcast_id}/publish"):        (401, 403, 403, 404, 404, 404, 200),
    ("GET", "/api/v1/broadcasts/{broadcast_id}"):                 (401, 403, 403, 404, 404, 404, 200),
    ("GET", "/api/v1/broadcasts/{broadcast_id}/deliveries"):      (401, 403, 403, 404, 404, 404, 200),
    ("PUT", "/api/v1/kims/{kim_id}/webhook"):                     (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/kims/{kim_id}/inbox"):                       (401, 403, 403, 403, 403, 403, 200),
    ("POST", "/api/v1/kims/{kim_id}/inbox/{delivery_id}/read"):   (401, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/v1/kims/{kim_id}/inbox/{delivery_id}/ack"):    (401, 403, 403, 403, 403, 403, 200),
    ("POST", "/api/v1/kims/{kim_id}/inbox/{delivery_id}/relay"):  (401, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/v1/aspirations"):                              (202, 403, 403, 202, 202, 202, 202),
    ("GET", "/api/v1/aspirations"):                               (401, 200, 200, 403, 403, 403, 200),
    ("GET", "/api/v1/aspirations/track/{tracking_code}"):         (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/aspirations/stats"):                         (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/aspirations/{aspiration_id}"):               (401, 404, 404, 404, 404, 404, 200),
    ("POST", "/api/v1/aspirations/{aspiration_id}/transition"):   (401, 403, 403, 404, 404, 404, 200),
    ("GET", "/open311/v2/discovery.json"):                        (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/open311/v2/services.json"):                         (200, 200, 200, 200, 200, 200, 200),
    ("POST", "/open311/v2/requests.json"):                        (400, 201, 201, 201, 201, 201, 201),
    ("GET", "/open311/v2/requests.json"):                         (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/open311/v2/requests/{service_request_id}.json"):    (200, 200, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/keys"):                                     (401, 403, 403, 403, 403, 403, 201),
    ("GET", "/api/v1/keys"):                                      (401, 403, 403, 403, 403, 200, 200),
    ("DELETE", "/api/v1/keys/{key_id}"):                          (401, 403, 403, 403, 403, 404, 204),
    ("POST", "/api/v1/accounts"):                                 (401, 403, 403, 403, 403, 403, 201),
    ("GET", "/api/v1/accounts"):                                  (401, 403, 403, 200, 200, 200, 200),
    ("POST", "/api/v1/accounts/{account_id}/setup-link"):         (401, 403, 403, 404, 404, 404, 200),
    ("DELETE", "/api/v1/accounts/{account_id}"):                  (401, 403, 403, 404, 404, 404, 204),
    ("POST", "/api/v1/kims/{kim_id}/channels"):                   (401, 403, 403, 403, 403, 403, 201),
    ("GET", "/api/v1/kims/{kim_id}/channels"):                    (401, 403, 403, 403, 403, 403, 200),
    # the tenant's channel waits for its code: no state is set by hand before it is linked
    ("PATCH", "/api/v1/kims/{kim_id}/channels/{channel_id}"):     (401, 403, 403, 403, 403, 403, 409),
    ("DELETE", "/api/v1/kims/{kim_id}/channels/{channel_id}"):    (401, 403, 403, 403, 403, 403, 204),
    # the providers' callbacks answer to the provider's proof, never to a key: Telegram is set up on the
    # session's platform (a wrong or missing secret token: 401), WhatsApp and SMS are not (404)
    ("POST", "/channels/telegram/webhook"):                       (401, 401, 401, 401, 401, 401, 401),
    ("GET", "/channels/whatsapp/webhook"):                        (404, 404, 404, 404, 404, 404, 404),
    ("POST", "/channels/whatsapp/webhook"):                       (404, 404, 404, 404, 404, 404, 404),
    ("GET", "/channels/sms/mo"):                                  (404, 404, 404, 404, 404, 404, 404),
    ("GET", "/channels/sms/dlr"):                                 (404, 404, 404, 404, 404, 404, 404),
    # a mailbox's links: the page with its button for anyone; a code or token that works for nobody, 404
    ("GET", "/channels/email/confirm"):                           (200, 200, 200, 200, 200, 200, 200),
    ("POST", "/channels/email/confirm"):                          (404, 404, 404, 404, 404, 404, 404),
    ("GET", "/channels/email/unsubscribe"):                       (200, 200, 200, 200, 200, 200, 200),
    ("POST", "/channels/email/unsubscribe"):                      (404, 404, 404, 404, 404, 404, 404),
    # issue 15, hoax clarification: each tenant's group reported a claim (its case); an office reports only
    # inside its scope; the verdict comes before the clarification and the public pages (the table's order)
    ("POST", "/api/v1/hoax-reports"):                             (201, 201, 201, 403, 403, 403, 201),
    ("GET", "/api/v1/hoax-cases"):                                (401, 403, 403, 200, 200, 200, 200),
    ("GET", "/api/v1/hoax-cases/{case_id}"):                      (401, 403, 403, 404, 404, 404, 200),
    ("POST", "/api/v1/hoax-cases/{case_id}/label"):               (401, 403, 403, 404, 404, 404, 200),
    ("POST", "/api/v1/hoax-cases/{case_id}/clarification"):       (401, 403, 403, 404, 404, 404, 201),
    ("POST", "/api/v1/hoax-reports/{report_id}/move"):            (401, 403, 403, 404, 404, 404, 200),
    ("GET", "/api/v1/public/klarifikasi"):                        (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/public/klarifikasi/{case_id}"):              (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/healthz"):                                          (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/readyz"):                                           (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/metrics"):                                          (200, 200, 200, 200, 200, 200, 200),
    # --- issue 15, posts: the tenant's group has one published post; the public reads come before the
    # national admin takes it down (the last row); approving or rejecting a published post is a 409
    ("POST", "/api/v1/media"):                                    (401, 201, 201, 201, 201, 201, 201),
    ("GET", "/api/v1/public/posts"):                              (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/public/posts/{post_id}"):                    (200, 200, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/kims/{kim_id}/posts"):                      (401, 403, 403, 403, 403, 403, 201),
    ("GET", "/api/v1/kims/{kim_id}/posts"):                       (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/posts"):                                     (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/posts/{post_id}"):                           (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/post-review/{regency_code}"):                (401, 403, 403, 403, 403, 403, 200),
    ("PUT", "/api/v1/post-review/{regency_code}"):                (401, 403, 403, 403, 403, 403, 200),
    ("POST", "/api/v1/posts/{post_id}/approve"):                  (401, 403, 403, 403, 403, 403, 409),
    ("POST", "/api/v1/posts/{post_id}/reject"):                   (401, 403, 403, 403, 403, 403, 409),
    ("POST", "/api/v1/posts/{post_id}/take-down"):                (401, 403, 403, 403, 403, 403, 200),
    # issue 15: the evaluation of a region for its offices; the criteria are read by any office
    # (regulation, nothing private) and set by the national admin only
    ("GET", "/api/v1/evaluation/{region}"):                       (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/evaluation/criteria/{region}"):              (401, 403, 403, 200, 200, 200, 200),
    ("PUT", "/api/v1/evaluation/criteria/{region}"):              (401, 403, 403, 403, 403, 403, 200),
    ("DELETE", "/api/v1/evaluation/criteria/{region}"):           (401, 403, 403, 403, 403, 403, 200),
    # issue 16: the CAP alerts are public (the tenant's published broadcast is no darurat one: no alert);
    # withdrawing, last: the national admin withdraws the draft it published above
    ("GET", "/cap/v1/alerts.atom"):                               (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/cap/v1/alerts/{alert_id}.xml"):                     (404, 404, 404, 404, 404, 404, 404),
    ("POST", "/api/v1/broadcasts/{broadcast_id}/withdraw"):       (401, 403, 403, 404, 404, 404, 200),
    # issue 16, personal data: an office finds only what lies in its scope (another's tenant: nothing,
    # and nothing to erase: 404); the access log is the national admin's
    ("POST", "/api/v1/privacy/search"):                           (401, 403, 403, 200, 200, 200, 200),
    ("POST", "/api/v1/privacy/export"):                           (401, 403, 403, 200, 200, 200, 200),
    ("POST", "/api/v1/privacy/erasures"):                         (401, 403, 403, 404, 404, 404, 404),
    ("GET", "/api/v1/privacy/erasures"):                          (401, 403, 403, 200, 200, 200, 200),
    ("GET", "/api/v1/privacy/erasures/{erasure_id}"):             (401, 403, 403, 404, 404, 404, 404),
    ("GET", "/api/v1/privacy/access-log"):                        (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/privacy/notices"):                           (200, 200, 200, 200, 200, 200, 200),
}


TINY_PNG = bytes.fromhex(  # issue 15: the smallest image the media store takes (2x2, RGB)
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a73"
    "0000001649444154789c633cc1c5c5c0c0c0c4c0c0c0c0c000000b3800e011f4d5d60000000049454e44ae426082")


# operations tried on what another office owns inside or above the caller's scope, where it has such
BESIDE = {("POST", "/api/v1/broadcasts/{broadcast_id}/publish"), ("GET", "/api/v1/broadcasts/{broadcast_id}"),
          ("POST", "/api/v1/accounts/{account_id}/setup-link"), ("DELETE", "/api/v1/accounts/{account_id}")}


def request_for(operation: tuple[str, str], t: dict, run: str, beside: dict | None = None,
                group: bool = False) -> dict:
    """The request of one cell, on tenant `t`'s objects (or, for BESIDE
    operations, on `beside`): path parameters and a body or query where the
    operation needs one. `group`: the caller is a group."""
    method, path = operation
    params = {"code": t["regency"], "kim_id": t["kim_id"], "member_id": t["member_id"],
              "broadcast_id": t["draft_id"], "delivery_id": t["delivery_id"], "aspiration_id": t["aspiration_id"],
              "tracking_code": t["tracking_code"], "service_request_id": t["tracking_code"],
              "key_id": t["key_id"], "account_id": t["account_id"], "job_id": t["job_id"],
              "channel_id": t["spare_channel_id"] if method == "DELETE" else t["channel_id"],
              "case_id": t["hoax_case_id"], "report_id": t["hoax_report_id"]}  # issue 15
    params["region"] = t["regency"]  # issue 15's evaluation routes
    params["alert_id"] = t["published_id"]  # issue 16
    params["erasure_id"] = "0" * 32  # issue 16: no such request
    if path.endswith("/deliveries"):
        params["broadcast_id"] = t["published_id"]
    params.update(post_id=t.get("post_id", ""), regency_code=t["regency"])  # issue 15, posts
    if operation in BESIDE and beside:
        params.update(beside)
    request = {"url": path.format(**params)}
    target = {"regions": [t["regency"]]}
    bodies = {
        ("POST", "/api/v1/kims"): {"name": f"KIM Matriks Baru {run}", "village_code": t["village"],
                                   "classification": "tumbuh",
                                   "sk": {"number": f"MATRIKS/{run}/BARU", "date": "2024-01-02", "issuer": "Lurah"}},
        ("PATCH", "/api/v1/kims/{kim_id}"): {"address": "Jalan Matriks 1"},
        ("POST", "/api/v1/kims/{kim_id}/members"): {"name": "Anggota Matriks", "role": "anggota"},
        ("POST", "/api/v1/kims/{kim_id}/activities"): {"date": "2026-11-20", "title": "Rapat matriks",
                                                       "kind": "pertemuan", "participants": 5},
        ("POST", "/api/v1/kims/{kim_id}/status"): {"status": "vakum", "reason": "uji matriks"},
        ("POST", "/api/v1/tags"): {"code": f"matriks_{run}", "label_id": "Matriks", "label_en": "Matrix"},
        ("POST", "/api/v1/broadcasts"): {"title": "Siaran matriks", "body": "Isi.", "category": "program",
                                         "target": target},
        ("POST", "/api/v1/broadcasts/preview"): {"target": target},
        ("PATCH", "/api/v1/broadcasts/{broadcast_id}"): {"title": "Draf matriks diubah",
                                                         "title_en": "Matrix draft", "body_en": "Content."},
        ("PUT", "/api/v1/kims/{kim_id}/webhook"): {"url": "http://127.0.0.1:9/kim-hook"},
        ("POST", "/api/v1/kims/{kim_id}/inbox/{delivery_id}/relay"): {"reached": 10, "channel": "whatsapp",
                                                                      "date": "2026-11-29"},
        ("POST", "/api/v1/aspirations"): {"kind": "aspirasi", "category": "layanan", "body": "Aspirasi matriks.",
                                          "village_code": t["village"], "kim_id": t["kim_id"]},
        ("POST", "/api/v1/aspirations/{aspiration_id}/transition"): {"to": "verified"},
        ("POST", "/api/v1/keys"): {"name": "Kunci matriks", "role": "operator", "scope_region": t["regency"]},
        ("POST", "/api/v1/accounts"): {"username": f"matriks.{run}", "name": "Akun matriks", "role": "kim",
                                       "kim_id": t["kim_id"]},
        ("POST", "/api/v1/kims/{kim_id}/channels"): {"kind": "email", "address": f"matriks.{run}@desa.example"},
        ("PATCH", "/api/v1/kims/{kim_id}/channels/{channel_id}"): {"state": "paused"},
        ("POST", "/channels/telegram/webhook"): {"update_id": 1},
        ("POST", "/channels/whatsapp/webhook"): {"object": "whatsapp_business_account", "entry": []},
        # issue 15
        ("POST", "/api/v1/hoax-reports"): {"text": f"Kabar matriks {run} beredar di grup", "seen_on": "grup_whatsapp",
                                           "village_code": t["village"]},
        ("POST", "/api/v1/hoax-cases/{case_id}/label"): {
            "label": "hoaks", "title": "Kabar matriks", "explanation": "Penjelasan matriks dari dinas."},
        ("POST", "/api/v1/hoax-cases/{case_id}/clarification"): {},
        ("POST", "/api/v1/hoax-reports/{report_id}/move"): {"case_id": None},
        # issue 16: the tenant's member; an erasure of a number nobody holds (erasing the tenant's data
        # would change the cells after it)
        ("POST", "/api/v1/privacy/search"): {"phone": t["member_phone"]},
        ("POST", "/api/v1/privacy/export"): {"phone": t["member_phone"]},
        ("POST", "/api/v1/privacy/erasures"): {"phone": "+62 899 0000 0001", "reason": "Uji matriks"},
    }
    bodies.update({  # issue 15, posts
        ("POST", "/api/v1/kims/{kim_id}/posts"): {"kind": "berita", "title": "Berita matriks", "body": "Isi."},
        ("PUT", "/api/v1/post-review/{regency_code}"): {"review_required": False},
        ("POST", "/api/v1/posts/{post_id}/reject"): {"reason": "Uji matriks"},
        ("POST", "/api/v1/posts/{post_id}/take-down"): {"reason": "Uji matriks"},
    })
    # issue 15: a region's criteria as the defaults (so the tenant's groups are judged as before)
    bodies[("PUT", "/api/v1/evaluation/criteria/{region}")] = {
        "berkembang": {"index": 15, "active_share": 0.5, "activities": 6},
        "maju": {"index": 30, "active_share": 0.75, "activities": 12, "relays": 6, "aspirations_filed": 2},
        "mandiri": {"index": 45, "active_share": 0.9, "activities": 18, "relays": 12, "aspirations_filed": 4,
                    "posts": 12}}
    if operation in bodies:
        request["json"] = bodies[operation]
    queries = {("GET", "/api/v1/kims"): {"region": t["regency"]},
               ("GET", "/api/v1/aspirations"): {"region": t["regency"]},
               ("GET", "/api/v1/aspirations/stats"): {"region": t["regency"]},
               ("GET", "/channels/whatsapp/webhook"): {"hub.mode": "subscribe", "hub.verify_token": "x",
                                                      "hub.challenge": "1"},
               ("GET", "/channels/sms/mo"): {"secret": "x", "from": "+6281200000000", "text": "OK"},
               ("GET", "/channels/sms/dlr"): {"secret": "x", "ref": "1", "status": "1"},
               **{(method, f"/channels/email/{page}"): {"code": "ABCD2345"} if page == "confirm" else
                  {"token": "x" * 24} for method in ("GET", "POST") for page in ("confirm", "unsubscribe")}}
    if group and operation == ("GET", "/api/v1/aspirations"):
        queries.pop(operation)  # a group's whole list: what citizens sent naming it too
    queries[("GET", "/api/v1/posts")] = {"region": t["regency"]}  # issue 15: the review queue of a region
    if operation in queries:
        request["params"] = queries[operation]
    if operation == ("POST", "/api/v1/kims/import"):
        row = f"KIM Impor Matriks {run};{t['village']};IMPOR/MATRIKS/{run};2024-01-02;Lurah;tumbuh"
        request["files"] = {"file": ("matriks.csv", f"nama;kode_desa;nomor_sk;tanggal_sk;penerbit_sk;klasifikasi\n"
                                                    f"{row}\n".encode(), "text/csv")}
    if operation == ("POST", "/api/v1/media"):  # issue 15: a 2x2 PNG
        request["files"] = {"file": ("foto.png", TINY_PNG, "image/png")}
    if operation == ("POST", "/open311/v2/requests.json"):
        request["data"] = {"service_code": "infrastruktur", "description": "Permintaan matriks.",
                           "address_id": t["village"]}
    return {"method": method, **request}


@pytest.fixture(scope="module")
def world(platform):
    """The three tenants' objects and the seven roles' credentials, made once."""
    run = uuid.uuid4().hex[:6]
    tenants, keys = {}, {}
    with platform.admin as admin:
        def key(body) -> dict:
            issued = admin.post("/api/v1/keys", json=body)
            assert issued.status_code == 201, issued.text
            return issued.json()

        digits = f"{int(run, 16) % 1_000_000:06d}"
        for name, (regency, village) in TENANTS.items():
            canary = f"{name}{run}"
            contact_phone, member_phone = f"+62 811 {digits} {ord(name)}", f"+62 812 {digits} {ord(name)}"
            kim = admin.post("/api/v1/kims", json={
                "name": f"KIM Matriks {canary}", "village_code": village, "classification": "tumbuh",
                "contact": {"person": f"Kontak {canary}", "phone": contact_phone},
                "sk": {"number": f"MATRIKS/{canary}", "date": "2024-01-02", "issuer": "Lurah"}})
            assert kim.status_code == 201, kim.text
            kim = kim.json()
            member = admin.post(f"/api/v1/kims/{kim['id']}/members", json={
                "name": f"Anggota {canary}", "role": "anggota", "phone": member_phone})
            assert member.status_code == 201, member.text
            operator = key({"name": f"Operator {canary}", "role": "operator", "scope_region": regency})["key"]
            group_key = key({"name": f"KIM {canary}", "role": "kim", "kim_id": kim["id"]})["key"]
            victim_key = key({"name": f"Korban {canary}", "role": "operator", "scope_region": regency})
            account = admin.post("/api/v1/accounts", json={
                "username": f"korban.{canary.lower()}", "name": f"Akun {canary}", "role": "kim", "kim_id": kim["id"]})
            assert account.status_code == 201, account.text
            tenants[name] = {"regency": regency, "village": village, "kim_id": kim["id"],
                             "member_id": member.json()["id"], "key_id": victim_key["id"],
                             "account_id": account.json()["id"], "operator": operator, "group_key": group_key,
                             "contact_phone": contact_phone, "member_phone": member_phone,
                             "username": account.json()["username"]}
            keys[name] = operator
            for field, address in (("channel_id", f"+62815{digits}{ord(name)}"),
                                   ("spare_channel_id", f"+62816{digits}{ord(name)}")):
                channel = admin.post(f"/api/v1/kims/{kim['id']}/channels", json={"kind": "sms", "address": address})
                assert channel.status_code == 201, channel.text
                tenants[name][field] = channel.json()["id"]
            with platform.client(operator) as office:
                job = office.post("/api/v1/kims/import", files={"file": ("kim.csv", (
                    "nama;kode_desa;nomor_sk;tanggal_sk;penerbit_sk;klasifikasi\n"
                    f"KIM Impor {canary};{village};IMPOR/{canary};2024-01-02;Lurah;tumbuh\n").encode(), "text/csv")})
                assert job.status_code == 202, job.text
                tenants[name]["job_id"] = job.json()["id"]
        for name, t in tenants.items():
            wait_for_broadcast_directory(admin, t["kim_id"])
            with platform.client(t["operator"]) as office:
                t["draft_id"] = office.post("/api/v1/broadcasts", json={
                    "title": f"Draf {name}", "body": "Isi draf.", "category": "program",
                    "target": {"regions": [t["regency"]]}}).json()["id"]
                published = office.post("/api/v1/broadcasts", json={
                    "title": f"Terbit {name}", "body": "Isi terbit.", "category": "program",
                    "target": {"regions": [t["village"]]}}).json()
                assert office.post(f"/api/v1/broadcasts/{published['id']}/publish").status_code == 200
                t["published_id"] = published["id"]
            t["delivery_id"] = wait_for(lambda t=t: next((d["id"] for d in admin.get(
                f"/api/v1/kims/{t['kim_id']}/inbox").json()["items"] if d["broadcast_id"] == t["published_id"]),
                None), message="the delivery")
            t["secret_body"], t["email"] = f"Rahasia matriks {name}{run}.", f"warga.{name.lower()}{run}@contoh.id"
            with platform.client() as citizen:
                def send(t=t):
                    sent = citizen.post("/api/v1/aspirations", json={
                        "kind": "pengaduan", "category": "layanan", "body": t["secret_body"],
                        "village_code": t["village"], "kim_id": t["kim_id"], "rahasia": True,
                        "submitter": {"name": "Warga Matriks", "email": t["email"]}})
                    return sent.json()["tracking_code"] if sent.status_code == 202 else None
                t["tracking_code"] = wait_for(send, message="the aspirations directory")
            t["aspiration_id"] = wait_for(lambda t=t: next((a["id"] for a in admin.get(
                "/api/v1/aspirations", params={"tracking_code": t["tracking_code"]}).json()["items"]), None),
                message="the aspiration")
        for name, t in tenants.items():  # issue 15: each group's published post
            with platform.client(t["group_key"]) as group:
                post = group.post(f"/api/v1/kims/{t['kim_id']}/posts", json={
                    "kind": "berita", "title": f"Berita {name}", "body": "Isi berita matriks."})
                assert post.status_code == 201 and post.json()["status"] == "published", post.text
                t["post_id"] = post.json()["id"]
        # issue 15: a claim each tenant's group reported (claims unlike each other: X and Y share a province,
        # where reports of one claim merge), labelled by the national admin so that its public page exists
        claims = {"X": "air PDAM beracun minggu ini, jangan diminum", "Y": "jembatan Siak ditutup karena retak besar",
                  "Z": "beras plastik dijual di pasar raya kota"}
        for name, t in tenants.items():
            with platform.client(t["group_key"]) as group:
                def reported(t=t, name=name):
                    sent = group.post("/api/v1/hoax-reports", json={
                        "text": f"Kabar matriks {run}: {claims[name]}", "seen_on": "grup_whatsapp",
                        "village_code": t["village"]})
                    return sent.json() if sent.status_code == 201 else None
                found = wait_for(reported, message="the aspirations directory")
                t["hoax_case_id"], t["hoax_report_id"] = found["case_id"], found["id"]
            assert admin.post(f"/api/v1/hoax-cases/{found['case_id']}/label", json={
                "label": "hoaks", "title": f"Kabar matriks {name}",
                "explanation": "Penjelasan matriks dari dinas."}).status_code == 200
        riau = key({"name": "Admin Riau matriks", "role": "admin", "scope_region": "14"})["key"]

        def colleague(role: str, scope: str) -> str:
            made = admin.post("/api/v1/accounts", json={"username": f"rekan.{scope}.{run}", "name": "Rekan",
                                                         "role": role, "scope_region": scope})
            assert made.status_code == 201, made.text
            return made.json()["id"]

        def draft_above(author: str, region: str) -> str:
            with platform.client(author) as office:
                made = office.post("/api/v1/broadcasts", json={
                    "title": f"Draf dari atas {region}", "body": "Isi.", "category": "program",
                    "target": {"regions": [region]}})
                assert made.status_code == 201, made.text
                return made.json()["id"]
        beside = {"operator_x": {"broadcast_id": draft_above(riau, "14.71"), "account_id": colleague("operator", "14.71")},
                  "operator_y": {"broadcast_id": draft_above(riau, "14.72"), "account_id": colleague("operator", "14.72")},
                  "province_admin": {"broadcast_id": draft_above(platform.admin_key, "14"),
                                     "account_id": colleague("admin", "14")}}
    credentials = {"anonymous": None, "kim_a": tenants["X"]["group_key"], "kim_b": tenants["Y"]["group_key"],
                   "operator_x": keys["X"], "operator_y": keys["Y"], "province_admin": riau,
                   "national_admin": platform.admin_key}
    return {"tenants": tenants, "credentials": credentials, "run": run, "beside": beside}


def canaries(world: dict, role: str) -> list[str]:
    """What a role must never be shown: the other tenant's private values, the
    drafts of the office above it, and, for a group, what citizens sent
    naming its own group."""
    t = world["tenants"][TRIED_ON[role]]
    values = [t["secret_body"], t["email"], t["contact_phone"], t["member_phone"], t["draft_id"], t["key_id"],
              t["account_id"], t["username"], world["beside"].get(role, {}).get("broadcast_id")]
    if role.startswith("kim_"):
        own = world["tenants"]["X" if role == "kim_a" else "Y"]
        values += [own["secret_body"], own["email"]]
    return [v for v in values if v]


def test_every_operation_is_in_the_table(platform):
    with platform.client() as anyone:
        spec = anyone.get("/openapi.json").json()
    operations = {(method.upper(), path) for path, item in spec["paths"].items() for method in item
                  if method in ("get", "post", "put", "patch", "delete")}
    missing, stale = sorted(operations - EXPECTED.keys()), sorted(EXPECTED.keys() - operations)
    assert not missing, f"operations missing from EXPECTED (add their statuses per role): {missing}"
    assert not stale, f"EXPECTED names operations the API no longer has: {stale}"


def test_every_role_on_the_other_tenants_objects(platform, world):
    clients = {role: platform.client(secret) for role, secret in world["credentials"].items()}
    violations, tried = [], 0
    try:
        # the national admin, the one role allowed to change the other tenant's objects, goes last
        for operation, expected in EXPECTED.items():
            for role, status in zip(ROLES, expected, strict=False):
                t = world["tenants"][TRIED_ON[role]]
                request = request_for(operation, t, world["run"], world["beside"].get(role), role.startswith("kim_"))
                if operation == ("POST", "/open311/v2/requests.json") and world["credentials"][role]:
                    request["data"] = {**request["data"], "api_key": world["credentials"][role]}
                answer = clients[role].request(**request)
                tried += 1
                if answer.status_code != status:
                    violations.append(f"{role} {operation[0]} {request['url']}: {answer.status_code}, "
                                      f"expected {status}: {answer.text[:200]}")
                if role != "national_admin" and answer.status_code < 300:
                    leaked = [c for c in canaries(world, role) if c in answer.text]
                    if leaked:
                        violations.append(f"{role} {operation[0]} {request['url']} shows {leaked}")
    finally:
        for client in clients.values():
            client.close()
    assert not violations, f"{len(violations)} violations of {tried} cells:\n" + "\n".join(violations)
    assert tried == len(EXPECTED) * len(ROLES)
