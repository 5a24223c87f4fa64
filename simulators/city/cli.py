"""Run Hengyang's rapid-police vehicles and river boats as MQTT clients (docs/mqtt.md).

  python -m simulators city --groups 26 --boats 6 --broker mqtt://127.0.0.1:1883 --speedup 5
  python -m simulators city --groups 2 --boats 1 --fault disconnect:units=0.1,at=30,for=20

Each unit is its own MQTT client (client id = its address, Last Will `offline`; with
--credentials, its user name too, for a closed broker: docs/mqtt.md "Security"), drives
Hengyang's main roads or sails the Xiang, reports telemetry, obeys commands and acks them.
Unit ids and bases come from fleet's registry (--registry, default the shipped demo file).
Faults: KIND[:key=value,...] with KIND disconnect | garbage | skew | duplicate, keys units
(ids joined by '+', a fraction like 0.05, or all), at, for (sim seconds), rate, kinds
(bad_json+wrong_type+nan+out_of_range+huge+missing_field), seconds (skew), client
(same|other, duplicate). Ctrl-C or SIGTERM publishes `offline` for every unit and stops.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path

from .config import CityConfig
from .faults import FaultSpec, parse_fault
from .registry import RegistryError, load_registry
from .session import Broker
from .sim import CitySim, CitySimError

STATUS_EVERY_S = 10.0


def _fault(text: str) -> FaultSpec:
    try:
        return parse_fault(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("city")
    g.add_argument("--groups", type=int, default=26, help="land groups of 11 vehicles (26)")
    g.add_argument("--boats", type=int, default=6, help="river boats (6)")
    g.add_argument("--registry", type=Path, default=None,
                   help="fleet registry TOML (default: fleet/data/hengyang.toml)")
    g.add_argument("--speedup", type=float, default=1.0, help="sim time / wall time (1)")
    g.add_argument("--rate", type=float, default=1.0,
                   help="telemetry per unit per wall second (1.0)")
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--traffic", type=float, default=1.0,
                   help="congestion scale: 0 empty streets, 1 normal daytime (1.0)")
    m = p.add_argument_group("MQTT")
    m.add_argument("--broker", default=None,
                   help="mqtt://host[:port] or mqtts://host[:port] (default: the registry's "
                        "[mqtt].url, else mqtt://127.0.0.1:1883)")
    m.add_argument("--ca", default=None, help="CA file to verify an mqtts:// broker")
    m.add_argument("--cert", default=None, help="client certificate (mqtts://)")
    m.add_argument("--key", default=None, help="its private key")
    m.add_argument("--username", default=None)
    m.add_argument("--password", default=None,
                   help="or set FLEET_SIM_MQTT_PASSWORD (keeps it out of `ps`)")
    m.add_argument("--credentials", type=Path, default=None, metavar="FILE",
                   help="JSON {unit address: password}: each unit logs in as itself, as a "
                   "closed broker wants (fleet broker-config writes credentials/units.json)")
    m.add_argument("--prefix", default=None, help="topic prefix (default: the registry's)")
    f = p.add_argument_group("fault injection")
    f.add_argument("--fault", type=_fault, action="append", default=[], metavar="SPEC",
                   help="e.g. disconnect:units=0.05,at=30,for=20 (repeatable)")
    p.add_argument("--log-level", default="WARNING")


def build_config(args: argparse.Namespace) -> CityConfig:
    registry = load_registry(args.registry)
    url = args.broker or registry.broker_url or "mqtt://127.0.0.1:1883"
    password = args.password or os.environ.get("FLEET_SIM_MQTT_PASSWORD")
    broker = Broker.from_url(url, username=args.username or registry.username,
                             password=password, keepalive_s=registry.keepalive_s,
                             ca_file=args.ca, cert_file=args.cert, key_file=args.key)
    credentials = read_credentials(args.credentials) if args.credentials else None
    return CityConfig(broker=broker, groups=args.groups, boats=args.boats, rate_hz=args.rate,
                      speedup=args.speedup, seed=args.seed, registry=registry.path,
                      topic_prefix=args.prefix, traffic=args.traffic, faults=tuple(args.fault),
                      credentials=credentials)


def read_credentials(path: Path) -> dict[str, str]:
    """``{unit address: password}`` from a JSON file (kept 0600 by whoever wrote it)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read credentials {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"credentials {path}: not JSON: {exc}") from None
    if not isinstance(doc, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in doc.items()):
        raise ValueError(f"credentials {path}: expected {{\"unit address\": \"password\"}}")
    return doc


async def serve(config: CityConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with CitySim(config) as sim:
        print(f"{len(sim.agents)} units online at {config.broker.host}:{config.broker.port} "
              f"under {sim.prefix}/; speedup {config.speedup:g}; Ctrl-C stops", flush=True)
        while not stop.is_set():
            try:
                async with asyncio.timeout(STATUS_EVERY_S):
                    await stop.wait()
            except TimeoutError:
                print(" ".join(f"{k}={v}" for k, v in sim.summary().items()), flush=True)
    print("stopped: every unit published offline", flush=True)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    try:
        config = build_config(args)
        asyncio.run(serve(config))
    except (RegistryError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (CitySimError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
