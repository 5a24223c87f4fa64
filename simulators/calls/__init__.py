"""A 110 call centre: incident calls for fleet's CAD interface, over MQTT.

Calls arrive as a Poisson process, at key sites, downtown and elsewhere in the city, with
a realistic mix of categories, and are published as CAD requests (docs/dispatch.md, "CAD
over MQTT"). With auto-dispatch it also ends the calls it placed: clear after a scene time
on scene, then close. See docs/simulators-calls.md. Never imports ``fleet``: places come
from a JSON file the demo writes (``places.py``).
"""

from .centre import CallCentre, CentreStats
from .closer import DISPOSITIONS, SceneCloser
from .config import Broker, CallsConfig
from .generator import OPERATOR, Call, CallGenerator, arrival_times, request_doc
from .places import Places, PlacesError, load_places, parse_places

__all__ = ["DISPOSITIONS", "OPERATOR", "Broker", "Call", "CallCentre", "CallGenerator",
           "CallsConfig", "CentreStats", "Places", "PlacesError", "SceneCloser",
           "arrival_times", "load_places", "parse_places", "request_doc"]
