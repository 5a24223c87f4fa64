"""The console's widgets; each takes plain data from the app and never touches the core."""

from tui.widgets.alerts_log import AlertsLog
from tui.widgets.fleet_table import FleetTable
from tui.widgets.header_bar import HeaderBar

__all__ = ["AlertsLog", "FleetTable", "HeaderBar"]
