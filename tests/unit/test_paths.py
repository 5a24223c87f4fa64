"""Path choice for one vehicle heard on several paths: pure, with time passed in."""

from fleet.links.mavlink.paths import PathTable, Verdict

A = ("mavlink:radio", None)
B = ("mavlink:lte", None)


def feed(table, key, priority, now, boot_ms):
    verdict, switch = table.heard(key, priority, now)
    return verdict, switch, table.check_boot(key, boot_ms, now)


def test_first_path_is_active_and_the_other_is_a_duplicate():
    t = PathTable(timeout_s=1.0)
    assert feed(t, A, 0, 0.0, 1000)[0] is Verdict.USE
    assert feed(t, B, 1, 0.1, 1100)[0] is Verdict.DUPLICATE
    assert t.active == A


def test_failover_after_the_timeout_and_failback_after_three_healthy_seconds():
    t = PathTable(timeout_s=1.0)
    t.heard(A, 0, 0.0)
    t.heard(B, 1, 0.0)
    verdict, switch = t.heard(B, 1, 1.5)
    assert verdict is Verdict.USE and switch.new == B and "quiet for 1.5 s" in switch.reason
    for now in (2.0, 2.5, 3.0, 3.5, 4.0, 4.5):  # A is back, not yet healthy for 3 s
        t.heard(B, 1, now)
        assert t.heard(A, 0, now)[0] is Verdict.DUPLICATE
    verdict, switch = t.heard(A, 0, 5.0)
    assert switch is not None and switch.new == A and "healthy again" in switch.reason


def test_the_same_vehicle_on_a_fast_clock_with_lag_is_not_a_collision():
    """A simulator at 20x sends boot times that run 20x faster than our clock; the
    backup path lags 0.3 s. Still one vehicle."""
    t = PathTable(timeout_s=1.0)
    for step in range(200):
        now = step * 0.05
        boot = 100_000 + int(now * 20_000)
        assert feed(t, A, 0, now, boot)[2] is None
        assert feed(t, B, 1, now + 0.3, boot)[2] is None
    assert t.clock_rate is not None and abs(t.clock_rate - 20.0) < 0.5
    assert not t.intruders


def test_a_vehicle_booted_a_minute_apart_is_an_intruder():
    t = PathTable(timeout_s=1.0)
    reasons = []
    for step in range(100):
        now = step * 0.25
        feed(t, A, 0, now, 100_000 + int(now * 1000))
        reasons.append(feed(t, B, 1, now, 40_000 + int(now * 1000))[2])
    assert [r for r in reasons if r] == ["booted 60 s apart from the vehicle we know"]
    assert B in t.intruders
    assert t.heard(B, 1, 30.0)[0] is Verdict.INTRUDER


def test_heartbeat_identity_mismatch_is_an_intruder_at_once():
    t = PathTable(timeout_s=1.0)
    t.heard(A, 0, 0.0)
    assert t.check_identity(A, 2, 3) is None
    t.heard(B, 1, 0.0)
    assert t.check_identity(B, 10, 3) == "type/autopilot 10/3 instead of 2/3"
