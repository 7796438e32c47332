"""Webhook URLs pointing into the platform's own network are refused."""
import pytest

from services.broadcast.broadcasts import check_webhook_url
from services.common.errors import InvalidInput


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/hook", "http://localhost/hook", "http://10.1.2.3/hook", "http://192.168.1.1/",
    "http://172.16.0.5/", "http://169.254.169.254/latest/meta-data", "http://[::1]/hook", "http://0.0.0.0/",
    "ftp://93.184.216.34/", "not a url", "http:///nohost",
])
def test_local_private_and_odd_urls_are_refused(url):
    with pytest.raises(InvalidInput):
        check_webhook_url(url, allow_private=False)


def test_public_addresses_pass_and_the_setting_allows_private_ones():
    check_webhook_url("https://93.184.216.34/kim-hook", allow_private=False)
    check_webhook_url("http://127.0.0.1:9000/kim-hook", allow_private=True)
