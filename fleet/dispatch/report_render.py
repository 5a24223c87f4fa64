"""A :class:`~fleet.dispatch.reports.Report` as plain text (tables and a unicode bar
chart of the response-time distribution) or as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence

from .explain import duration
from .reports import GroupStats, Report, Spread

EIGHTHS = " ▏▎▍▌▋▊▉█"
BAR_WIDTH = 40


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
        counts[min(bins - 1, int(v // bin_s))] += 1
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
    totals = [r.total_s for r in report.responses if r.total_s is not None]
    out += ["", "Call to first arrival (30 s bins)",
            *histogram(totals, targets={r.target_s for r in report.responses})]
    out += ["", "Unit utilisation (time assigned / window)"]
    if not report.units:
        out.append("(no unit was assigned)")
    for u in report.units:
        out.append(f"{u.unit_id:<16} {u.assignments:>3} calls {duration(u.busy_s):>14} "
                   f"{u.utilisation * 100:5.1f} % {bar(u.utilisation, 1.0, 20)}")
    return "\n".join(out) + "\n"


def _table(rows: Sequence[GroupStats]) -> list[str]:
    names = [" / ".join(p for p in (g.zone, g.category) if p) or "all" for g in rows]
    w = min(60, max(len(n) for n in [*names, "group"]))
    head = (f"{'group':<{w}} {'calls':>5} {'reach':>5} {'in tgt':>6}  "
            f"{'call->dispatch p50/p90/max':>28}  {'dispatch->arrival p50/p90/max':>30}  "
            f"{'total p50/p90/max':>28}")
    lines = [head]
    for g, name in zip(rows, names, strict=True):
        share = "-" if g.within_target is None else f"{g.within_target * 100:.0f} %"
        lines.append(f"{name[:w]:<{w}} {g.incidents:>5} {g.reached:>5} {share:>6}  "
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
    return dt.datetime.fromtimestamp(unix).strftime("%Y-%m-%d %H:%M")


CSV_FIELDS = ("section", "zone", "category", "incidents", "cancelled", "reached",
              "within_target_share",
              *(f"{m}_{s}" for m in ("call_to_dispatch_s", "dispatch_to_arrival_s", "total_s")
                for s in ("p50", "p90", "max")),
              "unit", "assignments", "busy_s", "utilisation")


def csv_text(report: Report) -> str:
    """One table: a row per group (section zone, category, ...) and per unit."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for g in report.groups:
        spreads = [v for s in (g.call_to_dispatch, g.dispatch_to_arrival, g.total)
                   for v in (s.p50, s.p90, s.max)]
        w.writerow([g.section, g.zone, g.category, g.incidents, g.cancelled, g.reached,
                    _num(g.within_target), *map(_num, spreads), "", "", "", ""])
    for u in report.units:
        w.writerow(["unit", "", "", "", "", "", "", *[""] * 9, u.unit_id, u.assignments,
                    _num(u.busy_s), _num(u.utilisation)])
    return buf.getvalue()


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:.3f}".rstrip("0").rstrip(".")
