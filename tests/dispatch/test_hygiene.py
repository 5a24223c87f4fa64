"""Closure hygiene: forgotten incidents flagged (pure), each reason alerted once, the
settings validated, and no second target-missed row after a restart."""

import asyncio
import contextlib
import time
from contextlib import closing

import pytest
from dispatch_helpers import ScriptLink, config
from test_layering import IO_MODULES, ROOT, imported_modules, top_level
from waits import until

from fleet.config import parse_config
from fleet.dispatch.audit import open_readonly, select
from fleet.dispatch.hygiene import stale_reasons
from fleet.dispatch.incident import EventKind, IncidentEvent, IncidentStatus, replay
from fleet.dispatch.settings import DispatchSettings
from fleet.errors import ConfigError
from fleet.events import Severity
from fleet.service import FleetService

T0 = 1_800_000_000.0
MIN = 60.0
S = DispatchSettings()  # 60 min on scene, 120 min open, 3x target unreached


def incident(*steps: tuple[EventKind, float, str | None], target=180.0):
    """Incident "I" received at T0, then ``(kind, minutes after T0, unit)`` steps."""
    events = [IncidentEvent(EventKind.RECEIVED, "I", T0, "op", data={
        "lat": 26.88, "lon": 112.6, "category": "theft", "priority": 3, "zone": "downtown",
        "zone_name": "Downtown", "target_s": target})]
    events += [IncidentEvent(k, "I", T0 + m * MIN, "op", u) for k, m, u in steps]
    return replay(events)["I"]


def keys(inc, minutes, settings=S):
    return [s.key for s in stale_reasons(inc, T0 + minutes * MIN, settings)]


def test_hygiene_is_pure():
    assert not top_level(imported_modules(ROOT / "fleet/dispatch/hygiene.py")) & IO_MODULES


def test_a_unit_long_on_scene_is_flagged_with_its_callsign():
    inc = incident((EventKind.ASSIGNED, 1, "moto-8"), (EventKind.ON_SCENE, 3, "moto-8"))
    assert keys(inc, 63) == []  # exactly 60 min on scene: not yet
    [s, opened] = stale_reasons(inc, T0 + 133 * MIN, S, {"moto-8": "RP18 Moto 8"}.get)
    assert opened.key == "open"  # 2 h 13 min after the call, too
    assert s.key == "on_scene:moto-8" and s.unit_id == "moto-8"
    assert s.severity is Severity.NOTICE
    assert s.message == "RP18 Moto 8 on scene for 2 h 10 min — clear or release it?"


def test_an_incident_open_too_long_is_flagged():
    inc = incident()
    assert keys(inc, 120) == []
    [s] = stale_reasons(inc, T0 + 121 * MIN, S)
    assert s.key == "open" and "open for 2 h 01 min, not cleared" in s.message
    shorter = DispatchSettings(stale_open_min=30)
    assert keys(inc, 31, shorter) == ["open"]


def test_units_sent_but_nobody_on_scene_after_three_times_the_target():
    inc = incident((EventKind.ASSIGNED, 1, "car-1"), (EventKind.EN_ROUTE, 2, "car-1"))
    assert keys(inc, 9) == []  # 3 x 3 min, exactly
    [s] = stale_reasons(inc, T0 + 9.5 * MIN, S)
    assert s.key == "unreached" and s.severity is Severity.WARNING
    assert "nobody on scene 9 min 30 s after the call (3x the 3 min 00 s target)" in s.message
    assert keys(incident(), 10) == []  # nobody sent: the target-missed alert's business
    assert keys(inc, 130) == ["unreached", "open"]


def test_closed_cleared_and_cancelled_incidents_are_never_stale():
    on = ((EventKind.ASSIGNED, 1, "car-1"), (EventKind.ON_SCENE, 3, "car-1"))
    cleared = incident(*on, (EventKind.CLEARED, 4, None))
    cancelled = incident((EventKind.CANCELLED, 1, None))
    assert cleared.status is IncidentStatus.CLEARED
    assert keys(cleared, 600) == [] and keys(cancelled, 600) == []


def test_released_units_are_not_flagged():
    inc = incident((EventKind.ASSIGNED, 1, "car-1"), (EventKind.ON_SCENE, 3, "car-1"),
                   (EventKind.RELEASED, 10, "car-1"))
    assert keys(inc, 100) == []


@pytest.mark.parametrize("section, message", [
    ({"stale_on_scene_min": 0}, "dispatch.stale_on_scene_min: expected a number > 0"),
    ({"stale_open_min": "2 h"}, "dispatch.stale_open_min: expected a number > 0"),
    ({"stale_unreached_factor": 0.5}, "dispatch.stale_unreached_factor: expected a number >= 1"),
])
def test_bad_settings_are_one_line_errors(section, message):
    with pytest.raises(ConfigError) as err:
        parse_config({"dispatch": section})
    assert message in str(err.value) and "\n" not in str(err.value)


def test_settings_are_read():
    s = parse_config({"dispatch": {"stale_on_scene_min": 45, "stale_open_min": 90,
                                   "stale_unreached_factor": 2}}).dispatch
    assert (s.stale_on_scene_min, s.stale_open_min, s.stale_unreached_factor) == (45, 90, 2)
    assert parse_config({}).dispatch.stale_on_scene_min == 60.0


class Clock:
    """The service's wall clock, which a test can move forward (hours in an instant)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@contextlib.asynccontextmanager
async def service(cfg, link, clock=time.time):
    async with FleetService(cfg, links=[link], wall=clock) as svc:
        async with asyncio.timeout(5):
            await link.ready.wait()
        yield svc


def alerts(svc, code, text=""):
    return [a for a in svc.alerts if a.code == code and text in a.message]


async def test_each_stale_reason_is_alerted_once_and_shown_to_the_console():
    clock = Clock()
    link = ScriptLink(["car-1"])
    async with service(config(), link, clock) as svc:
        scene = (26.8800, 112.6000)
        link.report("car-1", scene[0] + 0.0002, scene[1], battery_pct=80.0)
        await svc.wait_for_unit("car-1", timeout=5)
        c = svc.dispatch
        inc = await c.new_incident(*scene, "theft")
        await c.dispatch(inc.id)
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.ON_SCENE, 5)
        assert c.stale(inc.id) == [] and c.stale_all() == {}
        clock.offset = 61 * MIN
        await until(svc, lambda: alerts(svc, "dispatch.stale", "on scene for"), 5)
        [first] = alerts(svc, "dispatch.stale")
        assert first.message.startswith(f"{inc.id}: Car 1 on scene for 1 h 01 min")
        assert first.unit_id == "car-1" and first.severity is Severity.NOTICE
        assert list(c.stale_all()) == [inc.id]
        clock.offset = 125 * MIN  # a later check flags the open incident too...
        await until(svc, lambda: alerts(svc, "dispatch.stale", "not cleared"), 5)
        assert len(alerts(svc, "dispatch.stale", "on scene for")) == 1  # ...and only that
        assert len(c.stale(inc.id)) == 2
        await c.clear(inc.id)
        assert c.stale(inc.id) == [] and c.stale_all() == {}


async def test_no_second_target_missed_row_after_a_restart(tmp_path):
    db = tmp_path / "audit.sqlite3"
    # outside every zone: a 0.6 s target; open incidents stale after 0.06 s
    cfg = config(audit_db=str(db), default_target_min=0.01, stale_open_min=0.001)
    async with service(cfg, ScriptLink(["car-1"])) as svc:
        inc = await svc.dispatch.new_incident(26.80, 112.50, "assistance")
        await until(svc, lambda: alerts(svc, "dispatch.target_missed"), 5)
        await until(svc, lambda: alerts(svc, "dispatch.stale"), 5)
    async with service(cfg, ScriptLink(["car-1"])) as svc:
        # the stale alert comes from the same check as the target, after it
        await until(svc, lambda: alerts(svc, "dispatch.stale", inc.id), 5)
        assert alerts(svc, "dispatch.target_missed") == []
        [resumed] = alerts(svc, "dispatch.resumed")
        assert resumed.message == "resumed 1 open incident, 1 stale"
        assert resumed.severity is Severity.NOTICE
        assert inc.id in svc.dispatch.target_missed
    with closing(open_readonly(db)) as conn:
        missed = [r for r in select(conn) if r.kind == "incident.target_missed"]
    assert [r.incident for r in missed] == [inc.id]
