"""Reports from a synthetic audit: the numbers, the text, the chart, the CSV, the CLI."""

import csv
import io
from contextlib import closing

import pytest

from fleet.cli import main
from fleet.dispatch import report_render, reports
from fleet.dispatch.audit import AuditLog, open_readonly, select
from fleet.dispatch.incident import EventKind, IncidentEvent
from fleet.dispatch.ledger import to_entry

T0 = 1_800_000_000.0  # the window starts here
DAY = 86_400.0


def received(iid, t, zone="downtown", category="theft", target=180.0):
    return IncidentEvent(EventKind.RECEIVED, iid, t, "op", data={
        "lat": 26.88, "lon": 112.6, "category": category, "priority": 3, "zone": zone,
        "zone_name": zone.title(), "target_s": target})


def call(iid, t, dispatch_after, arrive_after, unit, *, zone="downtown", category="theft",
         target=180.0, release_after=600.0):
    """One incident: received at t, unit assigned after ``dispatch_after`` s, on scene
    ``arrive_after`` s after that (None: never), cleared ``release_after`` s after t."""
    events = [received(iid, t, zone, category, target),
              IncidentEvent(EventKind.ASSIGNED, iid, t + dispatch_after, "op", unit)]
    if arrive_after is None:
        return [*events, IncidentEvent(EventKind.CANCELLED, iid, t + release_after, "op")]
    on = t + dispatch_after + arrive_after
    return [*events, IncidentEvent(EventKind.EN_ROUTE, iid, t + dispatch_after + 5, "sys", unit),
            IncidentEvent(EventKind.ON_SCENE, iid, on, "sys", unit),
            IncidentEvent(EventKind.CLEARED, iid, t + release_after, "op"),
            IncidentEvent(EventKind.CLOSED, iid, t + release_after + 60, "op")]


SYNTHETIC = [
    *call("A", T0 + 100, 30, 90, "car-1"),  # total 120 s: within 3 min
    *call("B", T0 + 200, 60, 200, "car-2"),  # 260 s: missed
    *call("C", T0 + 300, 20, 40, "car-1", zone="urban", target=300.0),  # 60 s
    *call("D", T0 + 400, 10, 20, "air-1", zone="urban", category="overwatch", target=300.0),
    *call("E", T0 + 500, 15, None, "car-2"),  # cancelled before arrival
    *call("OLD", T0 - DAY, 10, 10, "car-1"),  # before the window
]


@pytest.fixture
def audit_file(tmp_path):
    path = tmp_path / "audit.sqlite3"
    with AuditLog(path) as log:
        log.append_sync(*(to_entry(e) for e in SYNTHETIC))
    return path


def build(path, start=T0, end=T0 + 3600):
    with closing(open_readonly(path)) as conn:
        return reports.build(select(conn, since=start), start, end)


def group(report, section, zone="", category=""):
    return next(g for g in report.groups if (g.section, g.zone, g.category)
                == (section, zone, category))


def test_response_times_per_group(audit_file):
    r = build(audit_file)
    assert len(r.responses) == 5  # OLD is outside the window
    everything = group(r, "all")
    assert (everything.incidents, everything.cancelled, everything.reached) == (5, 1, 4)
    assert everything.within_target == 3 / 4  # B missed; E cancelled is left out
    assert everything.total.max == 260 and everything.total.p50 == pytest.approx(90)
    assert everything.call_to_dispatch.n == 5
    down = group(r, "zone", "Downtown")
    assert down.total.p50 == pytest.approx(190) and down.total.p90 == pytest.approx(246)
    assert down.dispatch_to_arrival.max == 200
    assert group(r, "category", category="overwatch").total.max == 30
    assert group(r, "zone/category", "Urban", "theft").incidents == 1


def test_utilisation_is_assigned_time_over_the_window(audit_file):
    r = build(audit_file)
    use = {u.unit_id: u for u in r.units}
    # car-1: A 130..700 (570 s) + C 320..900 (580 s); window 3600 s
    assert use["car-1"].busy_s == pytest.approx(1150)
    assert use["car-1"].utilisation == pytest.approx(1150 / 3600)
    assert use["car-2"].assignments == 2


def test_text_report_has_tables_chart_and_targets(audit_file):
    text = report_render.text(build(audit_file))
    assert "By zone" in text and "By category" in text and "Downtown / theft" in text
    assert "█" in text and "◂ 3 min 00 s target" in text
    assert "Unit utilisation" in text and "car-1" in text


def test_csv_report_is_machine_readable(audit_file):
    rows = list(csv.DictReader(io.StringIO(report_render.csv_text(build(audit_file)))))
    first = rows[0]
    assert first["section"] == "all" and first["within_target_share"] == "0.75"
    assert first["total_s_max"] == "260"
    assert any(row["section"] == "unit" and row["unit"] == "car-1" for row in rows)


def test_histogram_bins_and_overflow():
    lines = report_render.histogram([10, 20, 40, 700], bin_s=30, max_bins=4, targets=[60])
    assert len(lines) == 4 and lines[0].endswith("2")
    assert lines[1].rstrip().endswith("◂ 1 min 00 s target")
    assert "+" in lines[-1] and lines[-1].split()[-1] == "1"
    wide = report_render.histogram([10], bin_s=30, targets=[60, 180, 300])  # up to 5 min
    assert len(wide) == 10 and wide[5].endswith("◂ 3 min 00 s target")
    assert report_render.histogram([]) == ["(no arrivals)"]


def test_bar_uses_eighths():
    assert report_render.bar(1, 1, 2) == "██"
    assert report_render.bar(1, 16, 2) == "▏"
    assert report_render.bar(0, 1) == ""


def test_report_cli_text_and_csv(audit_file, capsys):
    args = ["report", "--db", str(audit_file), "--from", f"@{T0}", "--to", f"@{T0 + 3600}"]
    assert main(args) == 0
    assert "5 incidents" in capsys.readouterr().out
    assert main([*args, "--csv"]) == 0
    assert capsys.readouterr().out.startswith("section,zone,category")
    assert main(["report", "--db", str(audit_file), "--from", "@10", "--to", "@5"]) == 1
    assert "--from must be before --to" in capsys.readouterr().err


def test_audit_cli_verify_and_export(audit_file, capsys, tmp_path):
    assert main(["audit", "verify", "--db", str(audit_file)]) == 0
    out = capsys.readouterr().out
    assert f"OK: {len(SYNTHETIC)} rows" in out
    head = out.splitlines()[0].rsplit(" ", 1)[-1].strip()
    assert main(["audit", "verify", "--db", str(audit_file), "--expect-head", head]) == 0
    capsys.readouterr()
    assert main(["audit", "export", "--db", str(audit_file), "--format", "json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(SYNTHETIC) and '"kind": "incident.received"' in lines[0]
    assert main(["audit", "export", "--db", str(audit_file)]) == 0
    assert capsys.readouterr().out.startswith("seq,time,operator,kind")
    import sqlite3
    conn = sqlite3.connect(audit_file)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET operator = 'x' WHERE seq = 7")
    conn.commit()
    conn.close()
    assert main(["audit", "verify", "--db", str(audit_file)]) == 1
    assert "TAMPERED at row 7" in capsys.readouterr().out
    assert main(["audit", "verify", "--db", str(tmp_path / "none.sqlite3")]) == 1
    assert "no audit database there" in capsys.readouterr().err
