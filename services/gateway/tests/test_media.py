"""The posts' images (services/gateway/media.py) and the Atom feeds
(services/gateway/web/feeds.py), without a platform: EXIF gone, upright,
the web sizes made, fakes and oversized images refused; hostile titles are
text in a feed that still parses."""
import io
from xml.etree import ElementTree

import pytest
from PIL import Image

from services.gateway import media
from services.gateway.problems import Problem
from services.gateway.web import feeds

MB = 1024 * 1024


def jpeg_with_gps(width=2000, height=1000, orientation=1) -> bytes:
    """A camera's photo: GPS position, the phone's make and model, an orientation."""
    image = Image.new("RGB", (width, height), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "TelponPintar"  # Make
    exif[0x0110] = "Seri-12345"  # Model
    exif[0x0112] = orientation
    exif.get_ifd(0x8825).update({1: "S", 2: (0.0, 30.0, 25.56), 3: "E", 4: (101.0, 26.0, 52.08)})  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_exif_is_removed_and_the_web_sizes_are_made():
    original = jpeg_with_gps()
    assert b"TelponPintar" in original and Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    processed = media.process(original, 8 * MB, 40_000_000)
    assert (processed.width, processed.height) == (2000, 1000)
    assert sorted(processed.variants) == [320, 640, 1280]
    for width, data in processed.variants.items():
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG" and image.size == (width, width // 2)
        assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
        assert b"TelponPintar" not in data and b"Seri-12345" not in data and b"Exif" not in data


def test_a_rotated_photo_is_turned_upright_before_its_orientation_is_dropped():
    processed = media.process(jpeg_with_gps(1600, 800, orientation=6), 8 * MB, 40_000_000)  # 90 degrees
    assert (processed.width, processed.height) == (800, 1600)
    assert Image.open(io.BytesIO(processed.variants[640])).size == (640, 1280)


def test_a_small_image_is_never_enlarged_and_transparency_is_laid_on_white():
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    processed = media.process(out.getvalue(), 8 * MB, 40_000_000)
    small = Image.open(io.BytesIO(processed.variants[1280]))
    assert small.size == (200, 100) and small.getpixel((5, 5)) == (255, 255, 255)


def test_a_phones_multi_picture_jpeg_is_taken():
    """Many phones write MPO (a JPEG holding several pictures): Pillow names it MPO, not JPEG."""
    first, second = Image.new("RGB", (800, 600), (200, 10, 10)), Image.new("RGB", (200, 150), (10, 10, 200))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
    processed = media.process(out.getvalue(), 8 * MB, 40_000_000)
    assert (processed.width, processed.height) == (800, 600)


def test_the_local_store_forgets_an_image(tmp_path):
    store = media.LocalMedia(tmp_path)
    store.save("a" * 32, media.process(jpeg_with_gps(640, 320), 8 * MB, 40_000_000).variants)
    store.remove("a" * 32)
    assert store.read("a" * 32, 320) is None and not store.exists("a" * 32)


def test_webp_is_taken():
    out = io.BytesIO()
    Image.new("RGB", (700, 350), (10, 200, 10)).save(out, "WEBP")
    assert Image.open(io.BytesIO(media.process(out.getvalue(), 8 * MB, 40_000_000).variants[640])).size == (640, 320)


@pytest.mark.parametrize("content", [
    b"Ini bukan gambar, hanya teks yang diberi nama foto.jpg\n",
    b"\xff\xd8\xff\xe0" + b"\x00" * 64,  # a JPEG's first bytes and nothing of an image
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",  # an image, but not one we take
])
def test_what_is_not_a_jpeg_png_or_webp_is_refused(content):
    with pytest.raises(Problem) as refused:
        media.process(content, 8 * MB, 40_000_000)
    assert refused.value.status == 415


def test_an_oversized_file_and_too_many_pixels_are_refused():
    with pytest.raises(Problem) as refused:
        media.process(jpeg_with_gps(), 1000, 40_000_000)
    assert refused.value.status == 413
    out = io.BytesIO()
    Image.new("L", (5000, 5000)).save(out, "PNG")  # a small file of 25 million pixels
    with pytest.raises(Problem) as refused:
        media.process(out.getvalue(), 8 * MB, 10_000_000)
    assert refused.value.status == 413


def test_the_local_store_keeps_every_size(tmp_path):
    store = media.LocalMedia(tmp_path / "media")
    media_id = media.new_id()
    assert not store.exists(media_id) and store.read(media_id, 320) is None
    store.save(media_id, media.process(jpeg_with_gps(), 8 * MB, 40_000_000).variants)
    assert store.exists(media_id)
    assert Image.open(io.BytesIO(store.read(media_id, 320))).size == (320, 160)
    assert not list((tmp_path / "media").rglob("*.part"))


HOSTILE = 'Berita </title><script>alert("x")</script> & ]]> \x0b\x1b selesai'


def test_a_hostile_title_is_text_in_a_feed_that_parses():
    post = {"id": "a" * 32, "title": HOSTILE, "body_html": "<p>Isi <strong>aman</strong></p>", "kind": "berita",
            "tags": ["lingkungan"], "published_at": "2026-11-29T01:02:03+00:00",
            "kim": {"id": "KIM-1471011002-01", "name": "KIM <b>Maju</b>"}}
    body = feeds.atom(feed_id="https://kim.example/berita.atom", title="Berita KIM",
                      self_url="https://kim.example/berita.atom", page_url="https://kim.example/berita",
                      base_url="https://kim.example", posts=[post])
    assert b"<script>" not in body and b"\x0b" not in body and b"\x1b" not in body
    feed = ElementTree.fromstring(body)
    ns = {"a": feeds.ATOM}
    entry = feed.find("a:entry", ns)
    assert entry.find("a:title", ns).text == 'Berita </title><script>alert("x")</script> & ]]>  selesai'
    assert entry.find("a:author/a:name", ns).text == "KIM <b>Maju</b>"
    assert entry.find("a:content", ns).text == "<p>Isi <strong>aman</strong></p>"
    assert feed.find("a:updated", ns).text == "2026-11-29T01:02:03+00:00"
