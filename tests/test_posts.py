"""Posts end to end (issue 15) on the session platform: a group posts with a
photo (EXIF gone, the sizes made), its regency reviews before publication,
the office approves, the public pages and the three feeds show it, a
take-down hides it and the group sees why; bad input is refused or
neutralised. In Kabupaten Rokan Hulu (14.06), a regency no other test uses,
since review is a setting per regency."""
import io
import re
import uuid
from xml.etree import ElementTree

import pytest
from PIL import Image

from services.gateway.web.feeds import ATOM

VILLAGE, REGENCY = "14.06.01.1001", "14.06"  # Ujung Batu, Kabupaten Rokan Hulu
NS = {"a": ATOM}


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (2400, 1200), (200, 120, 30))
    exif = Image.Exif()
    exif[0x010F] = "TelponPintar"
    exif.get_ifd(0x8825).update({1: "N", 2: (0.0, 53.0, 1.0), 3: "E", 4: (100.0, 30.0, 2.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture(scope="module")
def rokan(platform):
    """A group in Rokan Hulu with its key, and the regency's operator."""
    run = uuid.uuid4().hex[:6]
    with platform.admin as admin:
        kim = admin.post("/api/v1/kims", json={
            "name": f"KIM Ujung Batu {run}", "village_code": VILLAGE, "classification": "tumbuh",
            "contact": {"person": "Pengurus Rahasia", "phone": "+62 811 7777 1234"},
            "sk": {"number": f"BERITA/{run}", "date": "2024-01-02", "issuer": "Lurah Ujung Batu"}})
        assert kim.status_code == 201, kim.text
        member = admin.post(f"/api/v1/kims/{kim.json()['id']}/members",
                            json={"name": "Anggota Rahasia", "role": "ketua", "phone": "+62 812 7777 9876"})
        assert member.status_code == 201, member.text
        group = admin.post("/api/v1/keys", json={"name": f"KIM {run}", "role": "kim", "kim_id": kim.json()["id"]})
        office = admin.post("/api/v1/keys", json={"name": f"Operator Rokan Hulu {run}", "role": "operator",
                                                  "scope_region": REGENCY})
    return {"kim": kim.json(), "group": group.json()["key"], "office": office.json()["key"]}


def feed_titles(client, path: str, **params) -> list[str]:
    answer = client.get(path, params=params)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/atom+xml")
    assert b"<script>" not in answer.content
    return [e.find("a:title", NS).text for e in ElementTree.fromstring(answer.content).findall("a:entry", NS)]


def test_a_post_with_a_photo_through_review_publication_and_take_down(platform, rokan):
    kim_id = rokan["kim"]["id"]
    title = f'Panen raya {uuid.uuid4().hex[:6]} <script>alert("x")</script> & \x0b "kutip"'
    clean_title = title.replace("\x0b", "")
    with platform.client(rokan["office"]) as office, platform.client(rokan["group"]) as group, \
            platform.client() as public:
        assert office.put(f"/api/v1/post-review/{REGENCY}", json={"review_required": True}).json()[
            "review_required"] is True
        try:
            uploaded = group.post("/api/v1/media", files={"file": ("panen.jpg", photo_with_gps(), "image/jpeg")})
            assert uploaded.status_code == 201, uploaded.text
            image = uploaded.json()
            assert (image["width"], image["height"]) == (2400, 1200)
            for width in ("1280", "640", "320"):
                served = public.get(image["urls"][width])
                assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
                stored = Image.open(io.BytesIO(served.content))
                assert stored.size == (int(width), int(width) // 2)
                assert not stored.getexif() and b"TelponPintar" not in served.content

            written = group.post(f"/api/v1/kims/{kim_id}/posts", json={
                "kind": "kegiatan", "title": title, "date": "2026-11-20", "tags": ["pertanian"],
                "body": "Warga **memanen** padi.\n\n<script>alert('isi')</script>", "images": [image["id"]]})
            assert written.status_code == 201, written.text
            post = written.json()
            assert post["status"] == "in_review" and "<script" not in post["body_html"]
            assert post["images"][0]["urls"]["640"] == image["urls"]["640"]
            assert public.get(f"/api/v1/public/posts/{post['id']}").status_code == 404
            assert post["id"] not in public.get("/berita", params={"region": REGENCY}).text

            queue = office.get("/api/v1/posts", params={"region": REGENCY}).json()
            assert post["id"] in [p["id"] for p in queue["items"]]
            approved = office.post(f"/api/v1/posts/{post['id']}/approve")
            assert approved.status_code == 200 and approved.json()["status"] == "published", approved.text

            shown = public.get(f"/api/v1/public/posts/{post['id']}")
            assert shown.status_code == 200 and shown.json()["title"] == title
            listed = public.get("/api/v1/public/posts", params={"region": REGENCY}).json()
            assert post["id"] in [p["id"] for p in listed["items"]]
            text = shown.text + public.get("/api/v1/public/posts", params={"kim_id": kim_id}).text
            for secret in ("Pengurus Rahasia", "7777 1234", "Anggota Rahasia", "7777 9876"):
                assert secret not in text

            page = public.get(f"/berita/{post['id']}")
            assert page.status_code == 200
            assert '<meta property="og:title" content="Panen raya' in page.text
            assert re.search(r'<meta property="og:image" content="http[^"]+/media/' + image["id"] + '/1280.jpg">',
                             page.text)
            assert "<script>alert" not in page.text and "&lt;script&gt;alert(&#34;x&#34;)" in page.text
            assert post["id"] in public.get("/berita", params={"region": REGENCY}).text
            assert post["id"] in public.get(f"/kim/{kim_id}").text
            for path, params in (("/berita.atom", {}), ("/berita.atom", {"region": REGENCY}),
                                 (f"/kim/{kim_id}/berita.atom", {})):
                assert clean_title in feed_titles(public, path, **params), path
            profile = public.get(f"/api/v1/public/kims/{kim_id}").json()
            assert profile["last_activity_on"] >= "2026-11-29"  # publication is activity (today or later)

            down = office.post(f"/api/v1/posts/{post['id']}/take-down", json={"reason": "Foto memuat wajah anak"})
            assert down.status_code == 200 and down.json()["status"] == "taken_down"
            assert public.get(f"/api/v1/public/posts/{post['id']}").status_code == 404
            assert public.get(f"/berita/{post['id']}").status_code == 404
            assert clean_title not in feed_titles(public, f"/kim/{kim_id}/berita.atom")
            # its photos go too: their addresses were public in its page and feeds
            assert public.get(f"/media/{image['id']}/640.jpg").status_code == 404
            mine = group.get(f"/api/v1/kims/{kim_id}/posts").json()["items"]
            assert [(p["status"], p["reason"]) for p in mine if p["id"] == post["id"]] == [
                ("taken_down", "Foto memuat wajah anak")]
        finally:
            office.put(f"/api/v1/post-review/{REGENCY}", json={"review_required": False})


def test_bad_uploads_and_posts_are_refused(platform, rokan):
    kim_id = rokan["kim"]["id"]
    with platform.client(rokan["group"]) as group:
        fake = group.post("/api/v1/media", files={"file": ("foto.jpg", b"bukan gambar\n" * 10, "image/jpeg")})
        assert fake.status_code == 415 and fake.headers["content-type"] == "application/problem+json"
        huge = group.post("/api/v1/media", files={"file": ("besar.jpg", b"\xff\xd8\xff" + b"\x00" * (8 * 1024 * 1024),
                                                           "image/jpeg")})
        assert huge.status_code == 413
        out = io.BytesIO()
        Image.new("L", (7000, 7000)).save(out, "PNG")  # 49 million pixels in a small file
        assert group.post("/api/v1/media", files={"file": ("bom.png", out.getvalue(), "image/png")}).status_code == 413
        unknown = group.post(f"/api/v1/kims/{kim_id}/posts", json={
            "kind": "berita", "title": "Tanpa gambar", "body": "Isi.", "images": ["f" * 32]})
        assert unknown.status_code == 422
        for body in ({"kind": "gosip", "title": "Judul", "body": "Isi."},
                     {"kind": "berita", "title": "Judul", "body": "Isi.", "images": ["a" * 32] * 5},
                     {"kind": "berita", "title": "Judul", "body": "Isi.", "date": "2999-01-01"}):
            assert group.post(f"/api/v1/kims/{kim_id}/posts", json=body).status_code == 422, body
