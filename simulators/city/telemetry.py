"""Telemetry payloads exactly as docs/mqtt.md specifies, and the broken ones faults send."""

from __future__ import annotations

import json
import math
import random

from .unit import Truth

GARBAGE_KINDS = ("bad_json", "wrong_type", "nan", "out_of_range", "huge", "missing_field")
HUGE_BYTES = 8 * 1024   # twice the contract's 4 KiB limit


def telemetry_doc(truth: Truth, ts: float) -> dict[str, object]:
    return {"v": 1, "ts": round(ts, 3), "lat": round(truth.lat, 7), "lon": round(truth.lon, 7),
            "alt": round(truth.alt, 1), "speed": round(truth.speed_m_s, 2),
            "heading": round(truth.heading_deg % 360.0, 1), "fuel": round(truth.fuel_pct, 1),
            "status": truth.status, "crew": truth.crew}


def encode(doc: dict[str, object]) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def garbage(kind: str, doc: dict[str, object], rng: random.Random) -> bytes:
    """A payload that breaks one rule of the contract, built from a good one."""
    bad = dict(doc)
    if kind == "bad_json":
        good = encode(doc)
        return good[: rng.randrange(1, len(good) - 1)]
    if kind == "wrong_type":
        field = rng.choice(["lat", "lon", "ts", "speed", "crew", "v"])
        bad[field] = str(bad[field]) if field != "crew" else 2.5
    elif kind == "nan":
        bad[rng.choice(["lat", "lon", "speed", "heading"])] = rng.choice(
            [math.nan, math.inf, -math.inf])
        return json.dumps(bad).encode()     # NaN/Infinity tokens: not JSON
    elif kind == "out_of_range":
        field, value = rng.choice([("lat", 91.5), ("lat", -123.0), ("lon", 200.0),
                                   ("heading", 400.0), ("speed", -3.0), ("fuel", 150.0)])
        bad[field] = value
    elif kind == "huge":
        bad["padding"] = "x" * HUGE_BYTES
    elif kind == "missing_field":
        del bad[rng.choice(["v", "ts", "lat", "lon"])]
    else:
        raise ValueError(f"unknown garbage kind {kind!r}; known: {', '.join(GARBAGE_KINDS)}")
    return encode(bad)
