"""Auto-dispatch's end of a call, pure: clear after the scene time, then close; calls
nobody reached are left for the operator; the operator's own actions are respected."""

from __future__ import annotations

import random

from simulators.calls import DISPOSITIONS, SceneCloser


def doc(status: str, incident: str = "INC-1") -> dict:
    return {"id": incident, "status": status, "units": []}


def closer(**kw) -> SceneCloser:
    return SceneCloser(random.Random(1), **kw)


def test_on_scene_then_clear_after_the_scene_time_then_close():
    c = closer()
    c.follow("INC-1", "110-2025-000001", 0.0)
    c.seen(doc("dispatched"), 5.0)
    c.seen(doc("on_scene"), 100.0)
    clear_at = c.followed["INC-1"].clear_at_s
    assert 100.0 + 180.0 <= clear_at <= 100.0 + 600.0
    assert c.due(clear_at - 1) == [] and c.next_due_s() == clear_at
    [clear] = c.due(clear_at)
    assert clear.op == "clear" and clear.incident == "INC-1"
    assert clear.fields["disposition"] in DISPOSITIONS
    assert c.due(clear_at + 100) == []                  # sent once, awaiting the answer
    c.seen(doc("cleared"), clear_at + 1)
    [close] = c.due(clear_at + 1)
    assert close.op == "close" and close.fields == clear.fields
    c.seen(doc("closed"), clear_at + 2)
    assert not c.followed and (c.stats.cleared, c.stats.closed) == (1, 1)


def test_a_call_nobody_reached_is_left_for_the_operator():
    c = closer(unreached_s=1200.0)
    c.follow("INC-1", "110-2025-000001", 10.0)
    c.seen(doc("en_route"), 20.0)
    assert c.due(1209.0) == [] and "INC-1" in c.followed
    assert c.due(1210.0) == [] and not c.followed and c.stats.left == 1


def test_a_feed_document_before_the_answer_is_kept_for_the_follow():
    c = closer()
    c.seen(doc("on_scene", "INC-7"), 50.0)             # the feed beat the CAD answer
    assert not c.followed
    c.follow("INC-7", "110-2025-000007", 51.0)
    assert c.followed["INC-7"].clear_at_s is not None


def test_incidents_this_centre_did_not_place_are_never_touched():
    c = closer(scene_s=(0.0, 0.0))
    c.seen(doc("on_scene", "INC-9"), 0.0)
    assert c.due(10_000.0) == [] and not c.followed


def test_the_operator_ending_a_call_first_is_respected():
    c = closer()
    c.follow("INC-1", "r1", 0.0)
    c.follow("INC-2", "r2", 0.0)
    c.seen(doc("on_scene", "INC-1"), 10.0)
    c.seen(doc("cancelled", "INC-1"), 20.0)
    c.seen(doc("cleared", "INC-2"), 20.0)               # cleared at the console: close it
    [close] = c.due(21.0)
    assert (close.op, close.incident) == ("close", "INC-2")
    assert "INC-1" not in c.followed and c.stats.let_go == 1


def test_a_refused_action_leaves_the_call_to_the_operator():
    c = closer(scene_s=(0.0, 0.0))
    c.follow("INC-1", "r1", 0.0)
    c.seen(doc("on_scene"), 1.0)
    [clear] = c.due(1.0)
    c.refused("INC-1", clear.op, "illegal transition")
    assert not c.followed and c.stats.left == 1 and c.due(5000.0) == []


def test_scene_times_spread_over_the_range():
    c = closer(scene_s=(180.0, 600.0))
    for i in range(300):
        c.follow(f"INC-{i}", "r", 0.0)
        c.seen(doc("on_scene", f"INC-{i}"), 0.0)
    times = [f.clear_at_s for f in c.followed.values()]
    assert 180.0 <= min(times) < 220.0 and 560.0 < max(times) <= 600.0
    assert {f.disposition for f in c.followed.values()} == set(DISPOSITIONS)
