"""DNS rebinding: with the private-address rule in force (as in production),
a webhook whose name resolves to a public address when it is set and to
127.0.0.1 when a push goes out gets nothing; the delivery ends `failed` with
the reason. Its own platform, since the shared one allows local webhooks for
the other tests; names resolve through a hosts-style file the test rewrites
(KIM_WEBHOOK_TEST_HOSTS)."""
import uuid

import pytest

from tests.conftest import own_platform, wait_for
from tests.test_broadcasts import publish
from tests.test_webhooks import Hook


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def strict_platform(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"rebinding-{request.param}")
    hosts = tmp / "hosts"
    hosts.write_text("")
    with own_platform(request.param, tmp, KIM_WEBHOOK_ALLOW_PRIVATE=None,
                      KIM_WEBHOOK_TEST_HOSTS=str(hosts)) as platform:
        platform.hosts = hosts
        yield platform


def test_a_name_rebound_to_loopback_after_it_was_set_gets_no_push(strict_platform):
    platform, run = strict_platform, uuid.uuid4().hex[:6]
    listener = Hook(0)
    name = f"kim-{run}.rebind.test"
    url = listener.url.replace("127.0.0.1", name)
    try:
        with platform.admin as admin:
            assert admin.post("/api/v1/tags", json={"code": f"rb_{run}", "label_id": "rb", "label_en": "rb"}
                              ).status_code == 201
            kim = admin.post("/api/v1/kims", json={
                "name": f"KIM Rebinding {run}", "village_code": "14.71.01.1005", "classification": "tumbuh",
                "tags": [f"rb_{run}"], "sk": {"number": f"RB/{run}", "date": "2024-04-04", "issuer": "Lurah"}})
            assert kim.status_code == 201, kim.text
            target = {"regions": ["14.71"], "tags": [f"rb_{run}"]}
            wait_for(lambda: admin.post("/api/v1/broadcasts/preview", json={"target": target}
                                        ).json().get("recipients") == 1, message="the directory")
            # the rule holds when the webhook is set ...
            platform.hosts.write_text(f"127.0.0.1 {name}\n")
            refused = admin.put(f"/api/v1/kims/{kim.json()['id']}/webhook", json={"url": url})
            assert refused.status_code == 422, refused.text
            platform.hosts.write_text(f"93.184.216.34 {name}\n")
            accepted = admin.put(f"/api/v1/kims/{kim.json()['id']}/webhook", json={"url": url})
            assert accepted.status_code == 200, accepted.text
            # ... and again at every push: the name now answers loopback
            platform.hosts.write_text(f"127.0.0.1 {name}\n")
            broadcast = publish(admin, target, title="Siaran rebinding")
            failed = wait_for(lambda: (d := admin.get(f"/api/v1/broadcasts/{broadcast['id']}/deliveries")
                                       .json()["items"][0])["push_state"] == "failed" and d,
                              timeout=60, message="the refused push")
        assert failed["push_error"] == "refused: 127.0.0.1 is not a public address"
        assert listener.requests == []
    finally:
        listener.server.shutdown()
