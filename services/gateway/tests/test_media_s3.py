"""The posts' images in S3-compatible storage (services/gateway/media.py
`S3Media`), against moto's S3 server on a local port: what the local folder
does, through boto3 and an endpoint URL, as with MinIO or a cloud's S3."""
import io
import socket

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image

from services.gateway import media
from services.gateway.settings import GatewaySettings

BUCKET = "kim-media"


@pytest.fixture
def endpoint():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="uji",
                 aws_secret_access_key="rahasia-uji").create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


def test_images_go_to_the_bucket_when_one_is_configured(endpoint, tmp_path):
    settings = GatewaySettings(KIM_DATA_DIR=str(tmp_path), GATEWAY_MEDIA_S3_BUCKET=BUCKET,
                               GATEWAY_MEDIA_S3_ENDPOINT=endpoint, GATEWAY_MEDIA_S3_REGION="us-east-1",
                               GATEWAY_MEDIA_S3_ACCESS_KEY="uji", GATEWAY_MEDIA_S3_SECRET_KEY="rahasia-uji")
    store = media.store_for(settings)
    assert isinstance(store, media.S3Media)
    out = io.BytesIO()
    Image.new("RGB", (1500, 1000), (90, 30, 160)).save(out, "PNG")
    media_id = media.new_id()
    assert not store.exists(media_id) and store.read(media_id, 640) is None
    store.save(media_id, media.process(out.getvalue(), 8 * 1024 * 1024, 40_000_000).variants)
    assert store.exists(media_id)
    assert Image.open(io.BytesIO(store.read(media_id, 640))).size == (640, 427)
    listed = store.client.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert sorted(o["Key"] for o in listed) == sorted(f"media/{media_id}/{w}.jpg" for w in media.WIDTHS)
    head = store.client.head_object(Bucket=BUCKET, Key=f"media/{media_id}/320.jpg")
    assert head["ContentType"] == "image/jpeg"
    assert not (tmp_path / "media").exists()  # nothing in the local folder


def test_without_a_bucket_the_local_folder_is_used(tmp_path):
    store = media.store_for(GatewaySettings(KIM_DATA_DIR=str(tmp_path)))
    assert isinstance(store, media.LocalMedia) and store.root == tmp_path / "media"
