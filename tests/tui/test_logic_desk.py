"""The incident desk's pure parts, without a screen: the clock's colours, the units and
flags columns, the list's order, what a call-taker may type, and the map's markers and
lines."""

from __future__ import annotations

from fake_service import WALL, small_config

from fleet.dispatch.incident import EventKind, Incident, IncidentEvent, apply
from tui.call_parse import parse_location, parse_priority
from tui.desk_book import RECENT_S, IncidentBook, is_late
from tui.desk_rows import (
    AMBER_STYLE,
    ENDED_STYLE,
    MISSED_RESPONSE_STYLE,
    MISSED_STYLE,
    ON_TIME_STYLE,
    clock_cell,
    flags,
    incident_cells,
    mmss,
    needs_replacement,
    units_summary,
)
from tui.map_canvas import Grid, Viewport
from tui.map_incidents import (
    ASSIGNMENT_STYLE,
    INCIDENT_GLYPH,
    LATE_STYLE,
    overlay_lines,
    place_incidents,
)

SITES = small_config().key_sites


def received(incident_id: str = "INC-1", target_s: float = 60.0, at: float = WALL,
             priority: int = 1) -> Incident:
    return apply(None, IncidentEvent(EventKind.RECEIVED, incident_id, at, "op", data={
        "lat": 26.895, "lon": 112.578, "category": "violent_crime", "priority": priority,
        "zone": "downtown", "zone_name": "Downtown", "target_s": target_s,
        "key_site": "wanda", "key_site_name": "Wanda Plaza"}))


def step(inc: Incident, kind: EventKind, at: float, unit: str | None = None,
         **data: object) -> Incident:
    return apply(inc, IncidentEvent(kind, inc.id, at, "op", unit, data))


def sent(inc: Incident, *units: str, at: float = WALL + 5) -> Incident:
    for u in units:
        inc = step(inc, EventKind.ASSIGNED, at, u, eta_s=30.0)
    return inc


def test_mmss() -> None:
    assert [mmss(s) for s in (0, 42.9, 60, 725, 3723, None, float("nan"))] == [
        "0:00", "0:42", "1:00", "12:05", "1:02:03", "—", "—"]


def test_the_clock_is_green_then_amber_then_red_and_stops_at_arrival() -> None:
    inc = received(target_s=60.0)
    assert clock_cell(inc, WALL + 30) == ("0:30/1:00", ON_TIME_STYLE, "left")
    assert clock_cell(inc, WALL + 48).style == AMBER_STYLE  # the last 20 %
    assert clock_cell(inc, WALL + 61) == ("1:01/1:00", MISSED_STYLE, "left")
    inc = step(sent(inc, "car-1"), EventKind.ON_SCENE, WALL + 52, "car-1")
    assert clock_cell(inc, WALL + 500) == ("0:52/1:00", ON_TIME_STYLE, "left")
    late = step(sent(received(), "car-1"), EventKind.ON_SCENE, WALL + 75, "car-1")
    assert clock_cell(late, WALL + 500) == ("1:15/1:00", MISSED_RESPONSE_STYLE, "left")
    cancelled = step(received(), EventKind.CANCELLED, WALL + 20)
    assert clock_cell(cancelled, WALL + 500) == ("—/1:00", ENDED_STYLE, "left")


def test_units_summary_counts_the_furthest_step() -> None:
    inc = received()
    assert units_summary(inc) == "none sent"
    inc = sent(inc, "a", "b", "c")
    assert units_summary(inc) == "3 assigned"
    inc = step(inc, EventKind.ACKNOWLEDGED, WALL + 6, "a")
    assert units_summary(inc) == "1/3 ack"
    inc = step(inc, EventKind.EN_ROUTE, WALL + 7, "b")
    assert units_summary(inc) == "1/3 en route"
    inc = step(inc, EventKind.ON_SCENE, WALL + 40, "b")
    assert units_summary(inc) == "1/3 on scene"
    inc = step(inc, EventKind.CLEARED, WALL + 99)
    assert units_summary(inc) == "released"


def test_failed_and_lost_units_need_replacing_until_replaced() -> None:
    inc = sent(received(), "a", "b")
    inc = step(inc, EventKind.FAILED, WALL + 10, "a", reason="no ack")
    inc = step(inc, EventKind.LOST, WALL + 11, "b")
    assert [a.unit_id for a in needs_replacement(inc)] == ["a", "b"]
    assert flags(inc, proposal=True, stale=False).text == "failed lost r"
    inc = step(inc, EventKind.REASSIGNED, WALL + 12, "a", to="c")
    inc = step(inc, EventKind.ASSIGNED, WALL + 12, "c", replaces="a")
    inc = step(inc, EventKind.RECOVERED, WALL + 13, "b")
    assert needs_replacement(inc) == []
    assert flags(inc, proposal=False, stale=True).text == "stale"


def test_cells_leave_out_the_id_prefix_and_dim_what_ended() -> None:
    cells = incident_cells(received("INC-270115-007"), WALL + 10)
    assert [c.text for c in cells] == ["270115-007", "P1", "0:10/1:00", "received",
                                       "none sent", "", "Wanda Plaza", "violent_crime"]
    closed = step(step(step(sent(received(), "a"), EventKind.ON_SCENE, WALL + 30, "a"),
                       EventKind.CLEARED, WALL + 90), EventKind.CLOSED, WALL + 95)
    assert incident_cells(closed, WALL + 100)[0].style == ENDED_STYLE


def test_the_book_lists_open_first_by_priority_and_keeps_ended_ones_a_while() -> None:
    book = IncidentBook()
    old = received("INC-1", at=WALL - 100, priority=3)
    urgent = received("INC-2", at=WALL - 10, priority=1)
    done = step(step(step(sent(received("INC-3", at=WALL - 300), "a"), EventKind.ON_SCENE,
                          WALL - 250, "a"), EventKind.CLEARED, WALL - 200),
                EventKind.CLOSED, WALL - 190)
    cleared = step(step(sent(received("INC-4", at=WALL - 50), "b"), EventKind.ON_SCENE,
                        WALL - 40, "b"), EventKind.CLEARED, WALL - 30)
    assert book.put([old, urgent, done, cleared]) == {"INC-1", "INC-2", "INC-3", "INC-4"}
    assert book.put([old]) == set()  # the same value: nothing changed
    assert [i.id for i in book.shown(WALL)] == ["INC-2", "INC-1", "INC-4", "INC-3"]
    assert [i.id for i in book.shown(WALL - 190 + RECENT_S + 1)] == ["INC-2", "INC-1",
                                                                      "INC-4"]
    assert {i.id for i in book.on_map()} == {"INC-1", "INC-2", "INC-4"}
    assert book.counts(WALL) == (2, 1)  # INC-1 is 100 s into a 60 s target
    book.prune(WALL - 190 + RECENT_S + 1)
    assert set(book.incidents) == {"INC-1", "INC-2", "INC-4"}
    assert is_late(old, WALL) and not is_late(urgent, WALL)


def test_a_location_is_a_key_site_or_coordinates() -> None:
    assert parse_location("Wanda Plaza", SITES).site == "Wanda Plaza"
    assert parse_location("wanda", SITES).site == "Wanda Plaza"  # its id
    assert parse_location("plaza", SITES).site == "Wanda Plaza"  # a unique part
    where = parse_location(" 26.88, 112.6 ", SITES)
    assert (where.lat, where.lon, where.site) == (26.88, 112.6, None)
    assert parse_location("26.88 112.6", SITES).lon == 112.6
    for bad, message in (("", "key site"), ("airport", "no key site 'airport'"),
                         ("nan, 1", "finite")):
        try:
            parse_location(bad, SITES)
        except ValueError as exc:
            assert message in str(exc)
        else:
            raise AssertionError(bad)


def test_priority_is_empty_or_one_to_five() -> None:
    assert parse_priority("") is None and parse_priority(" 2 ") == 2
    for bad in ("0", "6", "x", "1.5"):
        try:
            parse_priority(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_markers_and_lines_on_the_map() -> None:
    view = Viewport(26.895, 112.578, 10.0)  # 10 m a dot
    w, h = 40, 20
    grid = Grid.blank(w, h)
    overlay_lines(grid, [((26.8965, 112.5765), (26.895, 112.578))], view, w, h,
                  ASSIGNMENT_STYLE)
    assert sum(row.count(ASSIGNMENT_STYLE) for row in grid.styles) >= 5
    late = received("INC-9", target_s=60.0, at=WALL - 120)
    place_incidents(grid, [late], view, w, h, "INC-9", WALL)
    assert grid.chars[h // 2][w // 2] == INCIDENT_GLYPH
    assert grid.styles[h // 2][w // 2] == f"{LATE_STYLE} reverse"
    assert "".join(grid.chars[h // 2][w // 2 + 2:w // 2 + 7]) == "INC-9"
