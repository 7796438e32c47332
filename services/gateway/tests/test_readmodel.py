"""The gateway's read model of the registry's public answers, without a broker:
filled on a miss, dropped by the events (and this gateway's writes) that change
an entry, never storing a fill that raced a change, and bypassed while the
event consumer is away. And the conditional answers (ETag, 304)."""
import asyncio

import pytest

from services.common.contracts import KimRecord
from services.gateway import conditional
from services.gateway.readmodel import ReadModel, coverage_key, kim_key, path_of
from services.gateway.tests.test_layers import run

V1, V2 = "14.71.01.1002", "14.08.01.1001"


def record(kim_id="KIM-1", village=V1, version=1, **extra) -> dict:
    data = {"id": kim_id, "name": "KIM Uji", "village_code": village, "region_path": path_of(village)[1:],
            "address": None, "lat": None, "lon": None,
            "sk": {"number": "1/SK", "date": "2023-01-01", "issuer": "Kepala Desa"}, "tags": [],
            "classification": "maju", "status": "active", "status_reason": "registered",
            "last_activity_on": "2026-11-01", "version": version,
            "created_at": "2026-11-01T00:00:00+00:00", "updated_at": "2026-11-01T00:00:00+00:00", **extra}
    KimRecord.model_validate(data)  # the test's records are the contract's
    return data


def envelope(data: dict) -> dict:
    return {"id": "e", "type": "t", "version": 1, "occurred_at": "2026-11-01T00:00:00+00:00",
            "producer": "registry", "data": data}


def status_changed(kim_id="KIM-1", village=V1, version=2) -> dict:
    return envelope({"kim_id": kim_id, "old": "active", "new": "vakum", "reason": "uji", "village_code": village,
                     "version": version})


def activity_reported(kim_id="KIM-1", village=V1) -> dict:
    return envelope({"kim_id": kim_id, "activity_id": "a", "date": "2026-11-02", "kind": "diseminasi",
                     "participants": 3, "village_code": village})


class Source:
    """The registry's answers, counting the questions."""

    def __init__(self):
        self.value = {"v": 1}
        self.asked = 0

    async def __call__(self):
        self.asked += 1
        return dict(self.value)


def live() -> ReadModel:
    model = ReadModel()
    model.connected()
    return model


def filled(model: ReadModel, *keys) -> ReadModel:
    for key in keys:
        run(model.read(key, Source()))
    return model


def test_a_miss_is_filled_once_and_then_served_from_the_model():
    model, source = live(), Source()
    assert run(model.read(kim_key("KIM-1"), source)) == {"v": 1}
    source.value = {"v": 2}  # the registry changed, no event yet: the model's answer stays
    assert run(model.read(kim_key("KIM-1"), source)) == {"v": 1}
    assert source.asked == 1


def test_an_event_drops_the_group_and_the_next_read_asks_again():
    model, source = live(), Source()
    run(model.read(kim_key("KIM-1"), source))
    source.value = {"v": 2}
    model.apply("kim_updated", envelope(record(version=2)))
    assert run(model.read(kim_key("KIM-1"), source)) == {"v": 2}
    assert source.asked == 2


def test_every_event_about_a_group_drops_it_and_leaves_the_others():
    for event_type, message in (("kim_registered", envelope(record())), ("kim_updated", envelope(record())),
                                ("kim_snapshot", envelope(record(snapshot_id="s", position=1, total=1))),
                                ("kim_status_changed", status_changed()),
                                ("kim_activity_reported", activity_reported())):
        model = filled(live(), kim_key("KIM-1"), kim_key("KIM-2"))
        model.apply(event_type, message)
        assert model.get(kim_key("KIM-1")) is None, event_type
        assert model.get(kim_key("KIM-2")) is not None, event_type


def test_a_status_change_drops_the_coverage_of_every_region_on_the_village_path_only():
    elsewhere = [coverage_key(c) for c in ("14.08", "15", "14.71.02")]
    model = filled(live(), *[coverage_key(c) for c in path_of(V1)], *elsewhere)
    model.apply("kim_status_changed", status_changed())
    assert [model.get(coverage_key(c)) for c in path_of(V1)] == [None] * 5
    assert all(model.get(key) is not None for key in elsewhere)


def test_a_registration_drops_the_coverage_of_its_village_path():
    model = filled(live(), *[coverage_key(c) for c in path_of(V1)], coverage_key("14.08"))
    model.apply("kim_registered", envelope(record()))
    assert [model.get(coverage_key(c)) for c in path_of(V1)] == [None] * 5
    assert model.get(coverage_key("14.08")) is not None


def test_an_activity_or_a_profile_change_leaves_the_coverage():
    model = live()
    model.apply("kim_registered", envelope(record()))  # the model now knows where the group is
    filled(model, *[coverage_key(c) for c in path_of(V1)])
    model.apply("kim_activity_reported", activity_reported())
    model.apply("kim_updated", envelope(record(version=2, name="KIM Baru")))
    assert all(model.get(coverage_key(c)) is not None for c in path_of(V1))


def test_a_move_drops_the_coverage_of_the_old_and_the_new_village():
    model = live()
    model.apply("kim_registered", envelope(record()))
    filled(model, *[coverage_key(c) for c in path_of(V1) + path_of(V2)], coverage_key("15"))
    model.apply("kim_updated", envelope(record(village=V2, version=2)))
    assert all(model.get(coverage_key(c)) is None for c in path_of(V1) + path_of(V2))
    assert model.get(coverage_key("15")) is not None


def test_a_possible_move_from_an_unknown_village_drops_every_coverage():
    model = filled(live(), coverage_key("15"), coverage_key("ID"), kim_key("KIM-2"))
    model.apply("kim_updated", envelope(record(village=V2, version=2)))
    assert model.get(coverage_key("15")) is None and model.get(coverage_key("ID")) is None
    assert model.get(kim_key("KIM-2")) is not None


def test_the_group_entry_tells_where_it_was():
    model = live()
    run(model.read(kim_key("KIM-1"), lambda: asyncio.sleep(0, conditional.Answer.of({"village_code": V1}))))
    filled(model, coverage_key("15"), *[coverage_key(c) for c in path_of(V1)])
    model.kim_changed("KIM-1", V2, counts=False, may_have_moved=True, remember=False)  # this gateway's PATCH
    assert model.get(coverage_key("15")) is not None
    assert all(model.get(coverage_key(c)) is None for c in path_of(V1))


def test_a_fill_racing_an_event_does_not_store_the_older_answer():
    model = live()

    async def scenario():
        started, release = asyncio.Event(), asyncio.Event()

        async def slow_fill():
            started.set()
            await release.wait()
            return {"v": "read before the change"}
        reading = asyncio.create_task(model.read(kim_key("KIM-1"), slow_fill))
        await started.wait()
        model.apply("kim_updated", envelope(record(version=2)))  # arrives while the answer is on its way
        release.set()
        assert await reading == {"v": "read before the change"}  # this request gets it, as without the model
        return model.get(kim_key("KIM-1"))
    assert run(scenario()) is None
    source = Source()
    source.value = {"v": "after"}
    assert run(model.read(kim_key("KIM-1"), source)) == {"v": "after"}
    assert model.get(kim_key("KIM-1")) == {"v": "after"}


def test_a_fill_racing_an_event_about_another_key_is_kept():
    model = live()

    async def scenario():
        release = asyncio.Event()

        async def slow_fill():
            await release.wait()
            return {"v": 1}
        reading = asyncio.create_task(model.read(kim_key("KIM-1"), slow_fill))
        await asyncio.sleep(0)
        model.apply("kim_updated", envelope(record(kim_id="KIM-2")))
        release.set()
        await reading
        return model.get(kim_key("KIM-1"))
    assert run(scenario()) == {"v": 1}


def test_a_fill_racing_a_disconnection_is_not_stored_after_the_reconnection():
    model = live()

    async def scenario():
        release = asyncio.Event()

        async def slow_fill():
            await release.wait()
            return {"v": "old"}
        reading = asyncio.create_task(model.read(kim_key("KIM-1"), slow_fill))
        await asyncio.sleep(0)
        model.disconnected()  # whatever changed while away is unknown
        model.connected()
        release.set()
        await reading
        return model.get(kim_key("KIM-1"))
    assert run(scenario()) is None


def test_while_disconnected_nothing_is_served_or_stored_and_a_reconnection_starts_empty():
    model, source = live(), Source()
    run(model.read(kim_key("KIM-1"), source))
    model.disconnected()
    source.value = {"v": 2}
    assert run(model.read(kim_key("KIM-1"), source)) == {"v": 2}
    assert run(model.read(kim_key("KIM-1"), source)) == {"v": 2}
    assert source.asked == 3 and len(model) == 0
    model.connected()
    assert model.get(kim_key("KIM-1")) is None
    assert run(model.read(kim_key("KIM-1"), source)) == {"v": 2}
    assert source.asked == 4


def test_a_new_model_serves_nothing_until_its_consumer_is_connected():
    model, source = ReadModel(), Source()
    run(model.read(kim_key("KIM-1"), source))
    run(model.read(kim_key("KIM-1"), source))
    assert source.asked == 2


def test_an_unreadable_event_drops_everything():
    model = filled(live(), kim_key("KIM-1"), coverage_key("ID"))
    model.apply("kim_updated", envelope({"id": "KIM-9"}))  # not a KimUpdated
    assert len(model) == 0
    model = filled(live(), kim_key("KIM-1"))
    model.apply("kim_updated", {**envelope(record()), "version": 2})  # another version
    assert len(model) == 0


def test_a_failed_fill_stores_nothing():
    model = live()

    async def failing():
        raise RuntimeError("registry down")
    with pytest.raises(RuntimeError):
        run(model.read(kim_key("KIM-1"), failing))
    assert len(model) == 0
    filled(model, kim_key("KIM-1"))
    assert len(model) == 1


def test_the_model_is_bounded():
    model = ReadModel(limit=3)
    model.connected()
    filled(model, *[kim_key(f"KIM-{i}") for i in range(7)])
    assert len(model) <= 3


# --- conditional answers ---------------------------------------------------------

def test_the_etag_is_strong_and_follows_the_content():
    one, same, other = (conditional.Answer.of(d) for d in ({"a": 1}, {"a": 1}, {"a": 2}))
    assert one.etag == same.etag != other.etag
    assert one.etag.startswith('"') and not one.etag.startswith("W/")
    assert one.body == b'{"a":1}'


def test_if_none_match_answers_304_with_the_etag_and_no_body():
    found = conditional.Answer.of({"a": 1})
    for offered in (found.etag, f'"x", {found.etag}', f"W/{found.etag}", "*"):
        response = conditional.answer(offered, found, conditional.PUBLIC)
        assert response.status_code == 304, offered
        assert response.body == b""
        assert response.headers["etag"] == found.etag
        assert response.headers["cache-control"] == "public, max-age=60, must-revalidate"
    for offered in (None, "", '"x"', conditional.Answer.of({"a": 2}).etag):
        response = conditional.answer(offered, found, conditional.PUBLIC)
        assert response.status_code == 200 and response.body == found.body, offered
        assert response.headers["etag"] == found.etag
        assert response.headers["content-type"] == "application/json"
