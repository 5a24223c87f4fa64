"""Schedule times in Hengyang local time (Asia/Shanghai, UTC+8, no DST), across midnight."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleet.config.schedules import Blackout, PatrolSchedule, Roster
from fleet.planning.local_time import CITY_TZ, local
from fleet.planning.schedule import blocking, next_runs, occurrences, shift_at, upcoming

ALL_DAYS = frozenset(range(7))


def sched(start: str, end: str, every: float | None = 30, days=ALL_DAYS, sid="s") -> PatrolSchedule:
    h0, m0 = map(int, start.split(":"))
    h1, m1 = map(int, end.split(":"))
    return PatrolSchedule(sid, sid, "p", dt.time(h0, m0), dt.time(h1, m1), every, days, ("u",))


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CITY_TZ)


def test_a_night_window_runs_past_midnight_and_belongs_to_its_start_day():
    saturday_night = sched("20:00", "02:00", days=frozenset({5}))  # Sat 2025-06-07
    runs = occurrences(saturday_night, at(2025, 6, 7), at(2025, 6, 9))
    assert runs[0] == at(2025, 6, 7, 20, 0) and runs[-1] == at(2025, 6, 8, 1, 30)
    assert len(runs) == 12  # 20:00 .. 01:30, every 30 min; none on Sunday night
    # asked from 01:00 Sunday, the window that began on Saturday still runs
    assert occurrences(saturday_night, at(2025, 6, 8, 1, 0), at(2025, 6, 8, 3))[0] == \
        at(2025, 6, 8, 1, 0)


def test_once_per_window_and_all_day_windows():
    assert occurrences(sched("09:15", "10:00", every=None), at(2025, 6, 2), at(2025, 6, 3)) == \
        [at(2025, 6, 2, 9, 15)]
    all_day = occurrences(sched("00:00", "00:00", every=60), at(2025, 6, 2), at(2025, 6, 3))
    assert len(all_day) == 24


def test_times_are_china_standard_time_all_year():
    # 20:00 in Hengyang is 12:00 UTC in January and in July alike: no daylight saving
    for month in (1, 7):
        (run,) = occurrences(sched("20:00", "20:30"), at(2025, month, 15, 19),
                             at(2025, month, 15, 21))
        assert run.astimezone(dt.UTC) == dt.datetime(2025, month, 15, 12, tzinfo=dt.UTC)
    assert local(0).utcoffset() == dt.timedelta(hours=8)


def test_blackouts_one_off_and_daily_across_midnight():
    night = sched("20:00", "02:00")
    festival = Blackout("f", "festival", dt.datetime(2025, 6, 1, 8), dt.datetime(2025, 6, 1, 21),
                        frozenset(), frozenset())
    curfew = Blackout("c", "quiet hours", dt.time(23, 30), dt.time(0, 30), frozenset({6}),
                      frozenset({"s"}))
    runs = upcoming([night, festival, curfew], at(2025, 6, 1, 19), at(2025, 6, 2, 3))
    blocked = {r.at.strftime("%H:%M"): r.blocked_by.id for r in runs if r.blocked_by}
    assert blocked == {"20:00": "f", "20:30": "f", "23:30": "c", "00:00": "c"}
    other = Blackout("o", "", dt.time(0), dt.time(23, 59), ALL_DAYS, frozenset({"x"}))
    assert blocking([other], "s", at(2025, 6, 1, 12)) is None  # applies to another schedule


def test_next_runs_merge_schedules_in_time_order():
    a, b = sched("08:00", "09:00", every=20, sid="a"), sched("08:10", "09:00", every=20, sid="b")
    runs = next_runs([a, b], at(2025, 6, 2, 8, 5), 4)
    assert [(r.at.strftime("%H:%M"), r.schedule.id) for r in runs] == [
        ("08:10", "b"), ("08:20", "a"), ("08:30", "b"), ("08:40", "a")]


ROTA = Roster("rota", ("A", "B", "C", "D", "E"), 4, dt.time(8), dt.date(2025, 1, 1), ("rp01",))


def test_five_crews_four_shifts_worked_example():
    # 2025-01-01 is day 0: shifts from 08:00 go to A, B, C, D; E rests
    day0 = [shift_at(ROTA, at(2025, 1, 1, 8) + dt.timedelta(hours=6 * k)).crew for k in range(4)]
    assert day0 == ["A", "B", "C", "D"]
    day1 = [shift_at(ROTA, at(2025, 1, 2, 8) + dt.timedelta(hours=6 * k)).crew for k in range(4)]
    assert day1 == ["E", "A", "B", "C"]  # everyone one shift later; D rests
    early = shift_at(ROTA, at(2025, 1, 2, 7, 59))  # before 08:00: still day 0's last shift
    assert (early.crew, early.index, early.start) == ("D", 3, at(2025, 1, 2, 2))


@given(st.integers(0, 3000))
def test_every_crew_works_one_shift_a_day_rests_one_day_in_five(day):
    start = at(2025, 1, 1, 8) + dt.timedelta(days=day)
    crews = [shift_at(ROTA, start + dt.timedelta(hours=6 * k)).crew for k in range(4)]
    assert len(set(crews)) == 4
    worked = [shift_at(ROTA, start + dt.timedelta(days=d, hours=6 * k)).crew
              for d in range(5) for k in range(4)]
    assert all(worked.count(c) == 4 for c in ROTA.crews)  # 4 of 5 days each


def test_shift_boundaries_are_half_open():
    s = shift_at(ROTA, at(2025, 3, 3, 14))
    assert s.start == at(2025, 3, 3, 14) and s.end == at(2025, 3, 3, 20)
    assert shift_at(ROTA, s.end - dt.timedelta(microseconds=1)).index == s.index


@pytest.mark.parametrize("hour", [0, 12, 23])
def test_aware_times_in_other_zones_are_converted(hour):
    utc = dt.datetime(2025, 6, 2, hour, tzinfo=dt.UTC)
    assert shift_at(ROTA, utc) == shift_at(ROTA, utc.astimezone(CITY_TZ))
