"""Place 110 calls on fleet's CAD interface over MQTT (docs/simulators-calls.md).

  python -m simulators calls --broker mqtt://127.0.0.1:1883 --places places.json \\
      --calls-per-hour 12 [--auto-dispatch] [--seed 1] [--speedup 1]

Calls arrive as a Poisson process at key sites (~30 %), downtown (~40 %) and elsewhere
(~30 %), as CAD requests on {prefix}/cad/incident; answers on .../incident/ack are counted.
--auto-dispatch asks fleet to dispatch at once and ends each call the crews reached: clear
after 3-10 min on scene, then close. `fleet demo` writes the places file (its log dir,
demo-places.json). Ctrl-C or SIGTERM stops; a status line is printed every minute.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from pathlib import Path

from .centre import CallCentre
from .config import Broker, CallsConfig
from .places import PlacesError, load_places


def _mix(text: str) -> dict[str, float]:
    try:
        pairs = [item.split("=", 1) for item in text.split(",") if item]
        return {k.strip(): float(v) for k, v in pairs}
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected CATEGORY=WEIGHT,..., got {text!r}") from None


def _minutes_into_year() -> int:
    now = time.localtime()
    return (now.tm_yday - 1) * 1440 + now.tm_hour * 60 + now.tm_min + 1


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("calls")
    g.add_argument("--places", type=Path, required=True, metavar="FILE",
                   help="places JSON (key sites, zones, categories, rivers, roads)")
    g.add_argument("--calls-per-hour", type=float, default=12.0, metavar="N",
                   help="mean call rate in sim time (12; 0: none)")
    g.add_argument("--auto-dispatch", action="store_true",
                   help="ask fleet to dispatch at once; clear and close calls after the scene")
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--speedup", type=float, default=1.0, help="sim time / wall time (1)")
    g.add_argument("--scene-min", type=float, default=3.0, metavar="MIN",
                   help="auto-dispatch: shortest time on scene before clearing (3 min)")
    g.add_argument("--scene-max", type=float, default=10.0, metavar="MIN",
                   help="... and longest (10 min); drawn uniformly between")
    g.add_argument("--unreached-min", type=float, default=20.0, metavar="MIN",
                   help="leave a call nobody reached within MIN to the operator (20)")
    g.add_argument("--mix", type=_mix, default=None, metavar="CAT=W,...",
                   help="category weights over the default mix, e.g. theft=40,crowd=10")
    g.add_argument("--operator", default="110 call centre", help="recorded in the audit")
    g.add_argument("--first-ref", type=int, default=None, metavar="N",
                   help="first call number (default: minutes since the year began)")
    g.add_argument("--max-calls", type=int, default=None, metavar="N")
    m = p.add_argument_group("MQTT")
    m.add_argument("--broker", default="mqtt://127.0.0.1:1883",
                   help="mqtt://host[:port] or mqtts://host[:port]")
    m.add_argument("--ca", default=None, help="CA file to verify an mqtts:// broker")
    m.add_argument("--username", default=None)
    m.add_argument("--password", default=None,
                   help="or set FLEET_SIM_MQTT_PASSWORD (keeps it out of `ps`)")
    m.add_argument("--password-file", type=Path, default=None, metavar="FILE",
                   help="the password is this file's first line (a CAD account's file "
                   "from fleet broker-config)")
    m.add_argument("--prefix", default="fleet/v1", help="topic prefix (fleet/v1)")
    p.add_argument("--log-level", default="INFO")


def build_config(args: argparse.Namespace) -> CallsConfig:
    password = args.password or os.environ.get("FLEET_SIM_MQTT_PASSWORD")
    if args.password_file is not None:
        try:
            password = args.password_file.read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError) as exc:
            raise ValueError(f"cannot read a password from {args.password_file}: "
                             f"{getattr(exc, 'strerror', None) or 'empty file'}") from None
    broker = Broker.from_url(args.broker, username=args.username, password=password,
                             ca_file=args.ca)
    return CallsConfig(broker=broker, prefix=args.prefix, calls_per_hour=args.calls_per_hour,
                       auto_dispatch=args.auto_dispatch, seed=args.seed, speedup=args.speedup,
                       mix=args.mix, operator=args.operator,
                       scene_s=(args.scene_min * 60, args.scene_max * 60),
                       unreached_s=args.unreached_min * 60, max_calls=args.max_calls,
                       first_ref=args.first_ref or _minutes_into_year())


async def serve(centre: CallCentre) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    c = centre.config
    print(f"110 call centre: {c.calls_per_hour:g} calls/h to {c.broker.host}:{c.broker.port} "
          f"under {c.prefix}/; {'auto-dispatch' if c.auto_dispatch else 'the operator'} "
          f"dispatches; speedup {c.speedup:g}; Ctrl-C stops", flush=True)
    running = asyncio.create_task(centre.run(), name="call-centre")
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    print("stopped: " + " ".join(f"{k}={v}" for k, v in centre.summary().items()), flush=True)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    try:
        centre = CallCentre(build_config(args), load_places(args.places))
    except (PlacesError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    asyncio.run(serve(centre))
    return 0
