"""A :class:`~fleet.dispatch.reports.Report` as plain text (tables and a unicode bar
chart of the response-time distribution) or as CSV."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence

from fleet.city_time import local

from .explain import distance, duration
from .reports import GroupStats, Report, Spread

EIGHTHS = " ▏▎▍▌▋▊▉█"
BAR_WIDTH = 40
FLAGGED_LINES = 50  # the text lists this many flagged arrivals; the CSV has them all


def bar(value: float, full: float, width: int = BAR_WIDTH) -> str:
    """A bar of ``value / full`` of ``width`` cells, in eighths of a cell."""
    if full <= 0 or value <= 0:
        return ""
    eighths = round(min(1.0, value / full) * width * 8)
    return "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")


def histogram(values: Sequence[float], bin_s: float = 30.0, max_bins: int = 20,
              targets: Iterable[float] = ()) -> list[str]:
    """One line per ``bin_s`` bin (the last gathers everything longer); a bin holding
    a target time is marked ``◂ 3 min target``."""
    if not values:
        return ["(no arrivals)"]
    targets = sorted(set(targets))
    needed = max([math.floor(max(values) / bin_s) + 1, *(math.ceil(t / bin_s) for t in targets)])
    bins = min(max_bins, needed)
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int(v // bin_s)))] += 1
    marks: dict[int, list[float]] = {}
    for t in targets:
        marks.setdefault(min(bins - 1, int((t - 1e-9) // bin_s)), []).append(t)
    most = max(counts)
    lines = []
    for i, n in enumerate(counts):
        lo = _mmss(i * bin_s)
        hi = _mmss((i + 1) * bin_s) if i < bins - 1 else "    +"
        mark = f"  ◂ {', '.join(duration(t) for t in marks[i])} target" if i in marks else ""
        lines.append(f"{lo}-{hi} {bar(n, most):<{BAR_WIDTH}} {n:>4}{mark}")
    return lines


def text(report: Report) -> str:
    out = [f"Response report {_when(report.start)} .. {_when(report.end)}: "
           f"{len(report.responses)} incidents"]
    for section, title in (("all", "All incidents"), ("zone", "By zone"),
                           ("category", "By category"), ("zone/category", "By zone and category")):
        rows = [g for g in report.groups if g.section == section]
        if rows:
            out += ["", title, *_table(rows)]
    out += _arrivals(report)
    totals = [r.total_s for r in report.responses if r.total_s is not None]
    out += ["", "Call to first arrival (30 s bins)",
            *histogram(totals, targets={r.target_s for r in report.responses})]
    out += ["", "Unit utilisation (time assigned / window)"]
    if not report.units:
        out.append("(no unit was assigned)")
    for u in report.units:
        out.append(f"{u.unit_id:<16} {u.assignments:>3} calls {duration(u.busy_s):>14} "
                   f"{u.utilisation * 100:5.1f} % {bar(u.utilisation, 1.0, 20)}")
    if report.dispositions:
        out += ["", "Dispositions"]
        w = max(len(d) for d, _ in report.dispositions)
        out += [f"{d:<{w}} {n:>5}" for d, n in report.dispositions]
    return "\n".join(out) + "\n"


def _arrivals(report: Report) -> list[str]:
    """How first arrivals were established, the verified share, the flagged ones."""
    g = next((g for g in report.groups if g.section == "all"), None)
    if g is None or g.reached == 0:
        return []
    out = ["", "First arrivals, by how they were established",
           f"by position (inside the arrival radius)  {g.first_by_position:>5}",
           f"by crew report within the radius         {g.first_by_crew:>5}",
           f"by crew report beyond it (flagged)       {g.first_by_crew_beyond:>5}",
           f"within target: {_share(g.within_target)} as recorded, "
           f"{_share(g.within_target_verified)} verified (first arrival by position or "
           "by crew report within the radius)"]
    if report.flagged:
        out += ["", "Flagged arrivals: crew reports beyond the arrival radius (or with no "
                "position)",
                f"{'incident':<18} {'unit':<16} {'distance':>9} {'response':>8}"]
        out += [f"{f.incident_id:<18} {f.unit_id:<16} "
                f"{distance(f.distance_m) if f.distance_m is not None else 'no fix':>9} "
                f"{_mmss(f.response_s):>8}{'  first arrival' if f.first else ''}"
                for f in report.flagged[:FLAGGED_LINES]]
        if len(report.flagged) > FLAGGED_LINES:
            out.append(f"... and {len(report.flagged) - FLAGGED_LINES} more (--csv lists "
                       "them all)")
    return out


def _share(v: float | None) -> str:
    return "-" if v is None else f"{v * 100:.0f} %"


def _table(rows: Sequence[GroupStats]) -> list[str]:
    names = [" / ".join(p for p in (g.zone, g.category) if p) or "all" for g in rows]
    w = min(60, max(len(n) for n in [*names, "group"]))
    head = (f"{'group':<{w}} {'calls':>5} {'reach':>5} {'in tgt':>6} {'verif':>6}  "
            f"{'call->dispatch p50/p90/max':>28}  {'dispatch->arrival p50/p90/max':>30}  "
            f"{'total p50/p90/max':>28}")
    lines = [head]
    for g, name in zip(rows, names, strict=True):
        share, verified = _share(g.within_target), _share(g.within_target_verified)
        lines.append(f"{name[:w]:<{w}} {g.incidents:>5} {g.reached:>5} {share:>6} "
                     f"{verified:>6}  "
                     f"{_spread(g.call_to_dispatch):>28}  {_spread(g.dispatch_to_arrival):>30}  "
                     f"{_spread(g.total):>28}")
    return lines


def _spread(s: Spread) -> str:
    return " / ".join(_short(v) for v in (s.p50, s.p90, s.max))


def _short(seconds: float | None) -> str:
    return "-" if seconds is None else _mmss(seconds)


def _mmss(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60:2d}:{s % 60:02d}"


def _when(unix: float) -> str:
    return local(unix).strftime("%Y-%m-%d %H:%M")


CSV_FIELDS = ("section", "zone", "category", "incidents", "cancelled", "reached",
              "within_target_share",
              *(f"{m}_{s}" for m in ("call_to_dispatch_s", "dispatch_to_arrival_s", "total_s")
                for s in ("p50", "p90", "max")),
              "unit", "assignments", "busy_s", "utilisation",
              # added with arrival verification (columns only ever appended)
              "within_target_verified_share", "first_by_position", "first_by_crew_report",
              "first_by_crew_report_beyond_radius", "incident", "distance_m", "response_s",
              "first_arrival", "disposition", "count")


def csv_text(report: Report) -> str:
    """One table: a row per group (section zone, category, ...), per unit, per flagged
    arrival (section ``flagged``) and per disposition (section ``disposition``)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)

    def row(**cells: object) -> None:
        w.writerow([cells.get(f, "") for f in CSV_FIELDS])

    for g in report.groups:
        spreads = {f"{m}_{s}": _num(getattr(getattr(g, attr), s))
                   for m, attr in (("call_to_dispatch_s", "call_to_dispatch"),
                                   ("dispatch_to_arrival_s", "dispatch_to_arrival"),
                                   ("total_s", "total"))
                   for s in ("p50", "p90", "max")}
        row(section=g.section, zone=g.zone, category=g.category, incidents=g.incidents,
            cancelled=g.cancelled, reached=g.reached,
            within_target_share=_num(g.within_target), **spreads,
            within_target_verified_share=_num(g.within_target_verified),
            first_by_position=g.first_by_position, first_by_crew_report=g.first_by_crew,
            first_by_crew_report_beyond_radius=g.first_by_crew_beyond)
    for u in report.units:
        row(section="unit", unit=u.unit_id, assignments=u.assignments,
            busy_s=_num(u.busy_s), utilisation=_num(u.utilisation))
    for f in report.flagged:
        row(section="flagged", zone=f.zone, category=f.category, unit=f.unit_id,
            incident=f.incident_id, distance_m=_num(f.distance_m),
            response_s=_num(f.response_s), first_arrival=int(f.first))
    for d, n in report.dispositions:
        row(section="disposition", disposition=d, count=n)
    return buf.getvalue()


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:.3f}".rstrip("0").rstrip(".")
