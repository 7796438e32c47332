"""The images of the groups' posts (issue 15): checked, cleaned, resized and stored.

An upload is read by its content, never its name or declared type: Pillow must
recognise JPEG, PNG or WebP, the file and its pixel count must be within the
settings. Every image is re-encoded as JPEG at the web widths (1280, 640 and
320 px; never enlarged), turned upright first by its EXIF orientation, and
saved without EXIF, XMP or ICC data: the camera's metadata holds GPS positions
and the phone's make and serial. One format keeps the pages and the Open Graph
previews (WhatsApp) simple.

The files live in `KIM_DATA_DIR/media` (`GATEWAY_MEDIA_DIR`), or in an
S3-compatible bucket when `GATEWAY_MEDIA_S3_BUCKET` is set (boto3 against
`GATEWAY_MEDIA_S3_ENDPOINT`). Either way the website serves them at
`/media/{id}/{width}.jpg`. A media id is 128 random bits: an image is
reachable by whoever knows its id, published or not.
"""
import io
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PIL import Image, ImageOps, UnidentifiedImageError

from services.gateway.problems import Problem

WIDTHS = (1280, 640, 320)
# MPO: the JPEG of many phones (a multi-picture JPEG); its first picture is the photo
FORMATS = ("JPEG", "MPO", "PNG", "WEBP")
CONTENT_TYPE = "image/jpeg"
QUALITY = 82


@dataclass
class Processed:
    width: int  # of the original, upright
    height: int
    variants: dict[int, bytes]  # web width -> JPEG


def process(content: bytes, max_bytes: int, max_pixels: int) -> Processed:
    """The web sizes of an uploaded image, or a problem: 413 too large, 415 not an image we take."""
    if len(content) > max_bytes:
        raise Problem(413, f"Gambar melebihi {max_bytes} bait.", f"The image exceeds {max_bytes} bytes.")
    try:
        with Image.open(io.BytesIO(content)) as opened:
            if opened.format not in FORMATS:
                raise _unsupported()
            if opened.width * opened.height > max_pixels:
                raise Problem(413, f"Gambar melebihi {max_pixels} piksel.", f"The image exceeds {max_pixels} pixels.")
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        raise _unsupported() from None
    image = _rgb(image)
    variants = {}
    for width in WIDTHS:
        copy = image.copy()
        if copy.width > width:
            copy = copy.resize((width, max(1, round(copy.height * width / copy.width))), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        # no exif=, icc_profile= nor xmp=: the JPEG carries none of the original's metadata
        copy.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
        variants[width] = out.getvalue()
    return Processed(image.width, image.height, variants)


def _unsupported() -> Problem:
    return Problem(415, "Berkas bukan gambar JPEG, PNG atau WebP.", "The file is not a JPEG, PNG or WebP image.")


def _rgb(image: Image.Image) -> Image.Image:
    """JPEG has no transparency: a transparent image is laid on white."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def new_id() -> str:
    return secrets.token_hex(16)


class MediaStore(Protocol):
    def save(self, media_id: str, variants: dict[int, bytes]) -> None: ...

    def exists(self, media_id: str) -> bool: ...

    def read(self, media_id: str, width: int) -> bytes | None: ...

    def remove(self, media_id: str) -> None: ...


class LocalMedia:
    """Files under a folder: `<root>/<id[:2]>/<id>/<width>.jpg`, each written whole (rename)."""

    def __init__(self, root: Path):
        self.root = root

    def _folder(self, media_id: str) -> Path:
        return self.root / media_id[:2] / media_id

    def save(self, media_id: str, variants: dict[int, bytes]) -> None:
        folder = self._folder(media_id)
        folder.mkdir(parents=True, exist_ok=True)
        for width, data in variants.items():
            with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".part") as part:
                part.write(data)
            os.replace(part.name, folder / f"{width}.jpg")

    def exists(self, media_id: str) -> bool:
        return all((self._folder(media_id) / f"{width}.jpg").is_file() for width in WIDTHS)

    def read(self, media_id: str, width: int) -> bytes | None:
        path = self._folder(media_id) / f"{width}.jpg"
        return path.read_bytes() if path.is_file() else None

    def remove(self, media_id: str) -> None:
        shutil.rmtree(self._folder(media_id), ignore_errors=True)


class S3Media:
    """Objects `media/<id>/<width>.jpg` in an S3-compatible bucket (MinIO, Ceph, a cloud's S3)."""

    def __init__(self, bucket: str, endpoint_url: str | None, region: str | None, access_key: str | None,
                 secret_key: str | None):
        import boto3  # only when configured: the local store needs none of it

        self.bucket = bucket
        self.client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region,
                                   aws_access_key_id=access_key, aws_secret_access_key=secret_key)

    @staticmethod
    def _key(media_id: str, width: int) -> str:
        return f"media/{media_id}/{width}.jpg"

    def save(self, media_id: str, variants: dict[int, bytes]) -> None:
        for width, data in variants.items():
            self.client.put_object(Bucket=self.bucket, Key=self._key(media_id, width), Body=data,
                                   ContentType=CONTENT_TYPE)

    def exists(self, media_id: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(media_id, WIDTHS[-1]))
        except self.client.exceptions.ClientError:
            return False
        return True

    def read(self, media_id: str, width: int) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(media_id, width))
        except self.client.exceptions.ClientError:
            return None  # missing (or AccessDenied, S3's answer for a missing key without the right to list)
        return answer["Body"].read()

    def remove(self, media_id: str) -> None:
        self.client.delete_objects(Bucket=self.bucket, Delete={
            "Objects": [{"Key": self._key(media_id, width)} for width in WIDTHS]})


def store_for(settings) -> MediaStore:
    if settings.media_s3_bucket:
        return S3Media(settings.media_s3_bucket, settings.media_s3_endpoint, settings.media_s3_region,
                       settings.media_s3_access_key, settings.media_s3_secret_key)
    return LocalMedia(Path(settings.media_dir) if settings.media_dir else settings.data_dir / "media")
