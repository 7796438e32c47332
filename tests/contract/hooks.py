"""Schemathesis hooks for tests/test_contract.py (SCHEMATHESIS_HOOKS).

A schema cannot say which villages, regions, tags or groups exist, nor that a
day lies in the past. Before each call the request's references are swapped
for real ones of the same form, so schema-valid data is also valid for the
platform and the check that valid data is accepted keeps its full strength
(schemathesis re-judges a case a hook changed). Every webhook address that
the gateway would accept points at a closed loopback port: the fuzzer never
makes the platform call out."""
import contextlib
import json
import os
import random
import re
from datetime import UTC, date, datetime, timedelta

import schemathesis

from services.common.regions import REGION_CODE_PATTERN
from services.gateway.routes.broadcasts import WEBHOOK_URL

DATA = json.loads(os.environ["KIM_CONTRACT_DATA"])
VILLAGE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
TAG = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
KIM_ID = re.compile(r"^[A-Za-z0-9._:-]{1,32}$")


def _real_region(code: str, rng: random.Random) -> str:
    """A region that exists, at the same level as `code`."""
    return rng.choice(DATA["regions_by_level"][code.count(".")])


def _realistic(body: dict, rng: random.Random):
    if isinstance(body.get("village_code"), str) and VILLAGE.match(body["village_code"]):
        body["village_code"] = rng.choice(DATA["regions_by_level"][3])
    if isinstance(body.get("scope_region"), str) and REGION_CODE_PATTERN.match(body["scope_region"]):
        body["scope_region"] = _real_region(body["scope_region"], rng)
    if isinstance(body.get("kim_id"), str) and KIM_ID.match(body["kim_id"]):
        body["kim_id"] = DATA["kim_id"]
    if isinstance(body.get("broadcast_id"), str):
        body["broadcast_id"] = DATA["broadcast_id"]
    if isinstance(body.get("tags"), list) and all(isinstance(t, str) and TAG.match(t) for t in body["tags"]):
        body["tags"] = rng.sample(DATA["tags"], min(len(body["tags"]), len(DATA["tags"])))
    target = body.get("target")
    if isinstance(target, dict):
        regions = target.get("regions")
        if isinstance(regions, list) and all(isinstance(r, str) and REGION_CODE_PATTERN.match(r) for r in regions):
            target["regions"] = [_real_region(r, rng) for r in regions]
        _realistic(target, rng)
    if isinstance(body.get("sk"), dict):
        _realistic(body["sk"], rng)
    if isinstance(body.get("date"), str) and body["date"] > date.today().isoformat():
        body["date"] = date.today().isoformat()  # a decree, an activity, a relay: dated when they happened
    if isinstance(body.get("url"), str) and re.match(WEBHOOK_URL, body["url"]):
        body["url"] = DATA["webhook_url"]
    # Open311's form: its key, its village and its service
    if isinstance(body.get("api_key"), str):
        body["api_key"] = DATA["api_key"]
    if isinstance(body.get("address_id"), str) and VILLAGE.match(body["address_id"]):
        body["address_id"] = rng.choice(DATA["regions_by_level"][3])
    if isinstance(body.get("service_code"), str) and body["service_code"]:
        body["service_code"] = rng.choice(DATA["service_codes"])


def _expiry(publish_at) -> str:
    """An expiry after the publication and after now, which no schema can say."""
    start = datetime.now(UTC)
    with contextlib.suppress(TypeError, ValueError):
        start = max(start, datetime.fromisoformat(publish_at))
    try:
        return (start + timedelta(days=30)).isoformat()
    except OverflowError:  # a publication at the end of time: expiring a moment later is all there is
        return (start + timedelta(seconds=1)).isoformat()


@schemathesis.hook
def before_call(context, case, kwargs):
    if not isinstance(case.body, dict):
        return
    rng = random.Random(json.dumps(case.body, sort_keys=True, default=str))
    _realistic(case.body, rng)
    path = case.operation.path
    if path.endswith("/inbox/{delivery_id}/relay") and isinstance(case.body.get("date"), str):
        case.body["date"] = date.today().isoformat()  # between the delivery and today
    if path == "/api/v1/broadcasts" and isinstance(case.body.get("expires_at"), str):
        case.body["expires_at"] = _expiry(case.body.get("publish_at"))
    if path == "/api/v1/kims/{kim_id}/status" and (case.path_parameters or {}).get("kim_id") == DATA["kim_id"] \
            and case.body.get("status") == "dissolved":
        case.body["status"] = "vakum"  # the group every reference names stays a group
