"""The console's widgets; each takes plain data from the app and never touches the core."""

from tui.widgets.alerts_log import AlertsLog
from tui.widgets.city_map import CityMapView
from tui.widgets.header_bar import HeaderBar
from tui.widgets.unit_detail import UnitDetail
from tui.widgets.unit_table import UnitTable

__all__ = ["AlertsLog", "CityMapView", "HeaderBar", "UnitDetail", "UnitTable"]
