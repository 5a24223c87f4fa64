"""The alerts log: one line per Alert, newest at the bottom, bounded in memory."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widgets import RichLog

from fleet.events import Alert
from tui.widgets.cells import SEVERITY_STYLE, clock, label


def alert_line(alert: Alert) -> Text:
    """``HH:MM:SS SEVERITY  message``, coloured by severity."""
    style = SEVERITY_STYLE.get(alert.severity, "")  # type: ignore[call-overload]
    return Text.assemble(
        (clock(alert.time), "dim"), " ",
        (f"{label(alert.severity).upper():<9}", style), " ",
        (str(alert.message), style if style.startswith("bold") else ""),
    )


class AlertsLog(RichLog):
    """A RichLog of alerts; ``max_lines`` keeps a long shift from growing memory."""

    def __init__(self, *, max_lines: int = 1000, **kwargs) -> None:
        super().__init__(max_lines=max_lines, wrap=False, markup=False, highlight=False,
                         **kwargs)

    def add_alerts(self, alerts: Iterable[Alert]) -> None:
        for alert in alerts:
            self.write(alert_line(alert))
