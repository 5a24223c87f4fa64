"""The report says how arrivals were established: counts, the flagged crew reports, the
verified share within target, dispositions; in text and CSV (pure, synthetic rows)."""

import csv
import io

import pytest

from fleet.dispatch import report_render, reports
from fleet.dispatch.chain import AuditRecord
from fleet.dispatch.incident import EventKind, IncidentEvent

T0 = 1_800_000_000.0
POS = {"by": "position", "distance_m": 20.0}
CREW_NEAR = {"by": "crew report", "distance_m": 35.0, "beyond_radius": False}
CREW_FAR = {"by": "crew report", "distance_m": 102.0, "beyond_radius": True}


def received(iid, t, target=60.0):
    return IncidentEvent(EventKind.RECEIVED, iid, t, "op", data={
        "lat": 26.88, "lon": 112.6, "category": "violent_crime", "priority": 1,
        "zone": "downtown", "zone_name": "Downtown", "target_s": target})


def call(iid, t, *arrivals, end=EventKind.CLOSED, disposition="report taken"):
    """Received at t, units assigned at t + 5, each ``(unit, s after t, data)`` on
    scene; then cleared and ``end`` (CLOSED) or cancelled."""
    events = [received(iid, t)]
    events += [IncidentEvent(EventKind.ASSIGNED, iid, t + 5, "op", u) for u, _, _ in arrivals]
    events += [IncidentEvent(EventKind.ON_SCENE, iid, t + s, "system", u, d)
               for u, s, d in sorted(arrivals, key=lambda a: a[1])]
    if end is EventKind.CANCELLED:
        return [*events, IncidentEvent(EventKind.CANCELLED, iid, t + 300, "op")]
    events.append(IncidentEvent(EventKind.CLEARED, iid, t + 600, "op"))
    if end is EventKind.CLOSED:
        events.append(IncidentEvent(EventKind.CLOSED, iid, t + 700, "op",
                                    data={"disposition": disposition}))
    return events


EVENTS = [
    *call("P", T0 + 10, ("car-1", 40, POS)),  # by position in 40 s: verified, within
    *call("N", T0 + 20, ("cv-1", 50, CREW_NEAR)),  # crew report within the radius: within
    # the demo's case: a crew report 102 m away a second after dispatch, the first real
    # arrival (by position) only after 2 min: within target as recorded, not verified
    *call("F", T0 + 30, ("cv-2", 6, CREW_FAR), ("moto-8", 120, POS), disposition="arrest"),
    # only a flagged arrival: counted reached, never verified
    *call("G", T0 + 40, ("cv-3", 8, CREW_FAR), end=EventKind.CLEARED),
    # an arrival from before distances were kept (goto completed): not verifiable
    *call("L", T0 + 50, ("car-2", 30, {"by": "unit reported arrival"})),
    *call("X", T0 + 60, end=EventKind.CANCELLED),
    received("O", T0 + 70),  # still open, nobody sent
]


def rows(events):
    return [AuditRecord(i, e.time, e.operator, e.kind.value, e.incident_id, e.unit_id,
                        dict(e.data), "", "") for i, e in enumerate(events, 1)]


@pytest.fixture
def report():
    return reports.build(rows(EVENTS), T0, T0 + 3600)


def test_first_arrivals_are_counted_by_how_they_were_established(report):
    g = report.groups[0]
    assert g.section == "all" and g.reached == 5
    assert (g.first_by_position, g.first_by_crew, g.first_by_crew_beyond) == (1, 1, 3)
    by_id = {r.incident_id: r for r in report.responses}
    assert by_id["F"].first_arrival == reports.BEYOND and by_id["F"].total_s == 6
    assert by_id["F"].verified_total_s == 120
    assert by_id["G"].verified_total_s is None and by_id["X"].first_arrival is None


def test_within_target_verified_ignores_flagged_first_arrivals(report):
    g = report.groups[0]
    # counted: P N F G L O (X cancelled); recorded within 60 s: P N F G L; verified: P N
    assert g.within_target == pytest.approx(5 / 6)
    assert g.within_target_verified == pytest.approx(2 / 6)


def test_flagged_arrivals_are_listed(report):
    flagged = [(f.incident_id, f.unit_id, f.distance_m, f.response_s, f.first)
               for f in report.flagged]
    assert flagged == [("F", "cv-2", 102.0, 6.0, True), ("G", "cv-3", 102.0, 8.0, True),
                       ("L", "car-2", None, 30.0, True)]


def test_dispositions_are_counted(report):
    assert dict(report.dispositions) == {"report taken": 3, "arrest": 1,
                                         "(no disposition)": 1, "cancelled": 1, "open": 1}
    assert report.dispositions[0] == ("report taken", 3)


def test_text_shows_arrivals_flags_and_dispositions(report):
    text = report_render.text(report)
    assert "by crew report beyond it (flagged)           3" in text
    assert "within target: 83 % as recorded, 33 % verified" in text
    assert "in tgt  verif" in text
    flagged = text.split("Flagged arrivals")[1].splitlines()
    assert any(line.split()[:4] == ["F", "cv-2", "102", "m"] and "0:06" in line
               and line.endswith("first arrival") for line in flagged)
    assert any(line.split()[:4] == ["L", "car-2", "no", "fix"] for line in flagged)
    assert "Dispositions" in text and "arrest" in text


def test_csv_adds_columns_and_rows_without_moving_the_old_ones(report):
    table = list(csv.reader(io.StringIO(report_render.csv_text(report))))
    head = table[0]
    assert head[:20] == ["section", "zone", "category", "incidents", "cancelled", "reached",
                         "within_target_share",
                         *(f"{m}_{s}" for m in ("call_to_dispatch_s", "dispatch_to_arrival_s",
                                                "total_s") for s in ("p50", "p90", "max")),
                         "unit", "assignments", "busy_s", "utilisation"]
    got = [dict(zip(head, r, strict=True)) for r in table[1:]]
    everything = got[0]
    assert everything["within_target_verified_share"] == "0.333"
    assert (everything["first_by_position"], everything["first_by_crew_report"],
            everything["first_by_crew_report_beyond_radius"]) == ("1", "1", "3")
    flagged = [r for r in got if r["section"] == "flagged"]
    assert [(r["incident"], r["unit"], r["distance_m"], r["response_s"], r["first_arrival"])
            for r in flagged] == [("F", "cv-2", "102", "6", "1"), ("G", "cv-3", "102", "8", "1"),
                                  ("L", "car-2", "", "30", "1")]
    dispositions = {r["disposition"]: r["count"] for r in got if r["section"] == "disposition"}
    assert dispositions["cancelled"] == "1" and dispositions["report taken"] == "3"


def test_a_later_crew_report_beyond_the_radius_is_listed_but_not_first():
    events = call("Q", T0, ("car-1", 40, POS), ("cv-1", 90, CREW_FAR))
    r = reports.build(rows(events), T0, T0 + 3600)
    [f] = r.flagged
    assert (f.unit_id, f.first) == ("cv-1", False)
    assert r.groups[0].within_target_verified == 1.0
    assert r.groups[0].first_by_position == 1


def test_no_arrivals_no_arrival_section():
    r = reports.build(rows([received("O", T0)]), T0, T0 + 3600)
    assert "First arrivals" not in report_render.text(r)


def test_a_long_flagged_list_is_cut_in_the_text_only():
    events = [e for i in range(60)
              for e in call(f"F{i:02d}", T0 + i, (f"cv-{i}", 3, CREW_FAR))]
    r = reports.build(rows(events), T0, T0 + 3600)
    assert len(r.flagged) == 60
    text = report_render.text(r)
    assert f"... and {60 - report_render.FLAGGED_LINES} more (--csv lists them all)" in text
    assert report_render.csv_text(r).count("\nflagged,") == 60
