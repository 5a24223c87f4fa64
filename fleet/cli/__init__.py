"""The ``fleet`` command line. Every user error is one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import importlib.util
import sys
from importlib.metadata import entry_points
from pathlib import Path

from fleet import __version__
from fleet.config import FleetConfig, demo_config_path, load_config
from fleet.errors import ConfigError, FleetError
from fleet.logs import default_log_dir, setup_logging
from fleet.runner import Frontend, run_service

from .args import non_negative_float, positive_float

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

#: modules that add subcommands: each has ``register(subparsers)``, whose parsers
#: ``set_defaults(handler=fn)`` with ``fn(args) -> exit code``. Missing ones are skipped,
#: so a feature's CLI lives beside the feature.
SUBCOMMAND_MODULES = ("fleet.cli.dispatch", "fleet.cli.planning", "fleet.cli.broker")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fleet",
        description="Command and control for a mixed police patrol fleet "
        "(MAVLink drones, MQTT vehicles and boats).",
    )
    p.add_argument("--version", action="version", version=f"fleet {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add_run_options(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--headless", action="store_true",
                        help="no console: JSON lines of every change on stdout")
        sp.add_argument("--interval", type=positive_float, default=1.0, metavar="S",
                        help="headless: coalesce unit updates over S seconds (default 1)")
        sp.add_argument("--log-dir", type=Path, default=None, metavar="DIR",
                        help=f"where fleet.log goes (default {default_log_dir()})")
        sp.add_argument("--log-level", default="info",
                        choices=["debug", "info", "warning", "error"])
        sp.add_argument("--operator", default=None, metavar="NAME",
                        help="who works this console: recorded in the audit with every "
                        "incident action (default: [dispatch] operator in the config)")

    run = sub.add_parser("run", help="run the fleet from a config file (console or headless)",
                         description="Connect the configured links and open the console.")
    run.add_argument("--config", required=True, type=Path, metavar="FILE",
                     help="fleet config (TOML)")
    add_run_options(run)

    demo = sub.add_parser("demo", help="run the simulated Hengyang fleet",
                          description="Run the built-in Hengyang demo configuration.")
    add_run_options(demo)
    demo.add_argument("--calls-per-hour", type=non_negative_float, default=12.0, metavar="N",
                      help="110 calls the simulated call centre places per hour, the first "
                      "within a minute (default 12; 0: none)")
    demo.add_argument("--auto-dispatch", action="store_true",
                      help="calls are dispatched at once and cleared and closed after the "
                      "scene; default: they wait for the operator")

    check = sub.add_parser("check-config", help="validate a config file and summarise it",
                           description="Validate FILE; exit 0 when valid, 2 with the first "
                           "error otherwise.")
    check.add_argument("file", type=Path, metavar="FILE")
    for name in SUBCOMMAND_MODULES:
        if importlib.util.find_spec(name.rsplit(".", 1)[0]) is not None and \
                importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if getattr(args, "handler", None) is not None:
            return args.handler(args)
        if args.command == "check-config":
            return _check_config(args.file)
        config = load_config(demo_config_path() if args.command == "demo" else args.config)
        return _run(config, args)
    except ConfigError as exc:
        print(f"fleet: config error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FleetError as exc:
        print(f"fleet: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE


def _check_config(path: Path) -> int:
    config = load_config(path)
    print(f"{path}: OK")
    for line in summarise(config):
        print(f"  {line}")
    return EXIT_OK


def summarise(config: FleetConfig) -> list[str]:
    by_kind: dict[str, int] = {}
    for unit in config.units:
        by_kind[unit.kind.value] = by_kind.get(unit.kind.value, 0) + 1
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(by_kind.items()))
    return [
        f"fleet {config.name!r}: {len(config.units)} units ({kinds})",
        f"{len(config.groups)} groups, {len(config.bases)} bases, {len(config.zones)} zones, "
        f"{len(config.key_sites)} key sites",
        f"mavlink links: {', '.join(lc.url for lc in config.mavlink.links) or 'none'}",
        f"mqtt broker: {_broker_line(config)}",
        f"unknown units: {config.registry.unknown_units}",
        f"time zone: {config.timezone}",
    ]


def _broker_line(config: FleetConfig) -> str:
    """The broker and who logs in, never the password (a URL cannot carry one)."""
    m = config.mqtt
    if m is None:
        return "none"
    login = f" as {m.username}" if m.username else " (anonymous)"
    return f"{m.url}{login}{', password set' if m.password else ''}"


def _run(config: FleetConfig, args: argparse.Namespace) -> int:
    log_dir = args.log_dir or default_log_dir()
    try:
        setup_logging(log_dir, args.log_level)
    except OSError as exc:
        print(f"fleet: cannot write logs to {log_dir}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    frontend = None if args.headless else _find_frontend()
    if frontend is None and not args.headless:
        return EXIT_USAGE
    if args.operator:
        config = dataclasses.replace(
            config, dispatch=dataclasses.replace(config.dispatch, operator=args.operator))
    if args.command == "demo":
        return asyncio.run(_run_demo(config, log_dir, frontend, args.interval,
                                     args.calls_per_hour, args.auto_dispatch))
    return asyncio.run(run_service(config, frontend=frontend, interval_s=args.interval))


async def _run_demo(config: FleetConfig, log_dir: Path, frontend: Frontend | None,
                    interval_s: float, calls_per_hour: float = 12.0,
                    auto_dispatch: bool = False) -> int:
    """The demo: simulators and a broker around the same service ``fleet run`` starts."""
    from fleet.demo import CallOptions, demo_environment

    calls = CallOptions(calls_per_hour, auto_dispatch)
    async with demo_environment(config, demo_config_path(), log_dir, calls) as live:
        return await run_service(live, frontend=frontend, interval_s=interval_s)


def _find_frontend() -> Frontend | None:
    """The console registers itself under the ``fleet.ui`` entry point; the core never
    imports it, so it can run headless on a server without Textual's UI code."""
    if not sys.stdout.isatty():
        print("fleet: the console needs a terminal; use --headless for JSON lines",
              file=sys.stderr)
        return None
    found = entry_points(group="fleet.ui", name="console")
    if not found:
        print("fleet: no console installed (entry point fleet.ui:console); "
              "use --headless or 'pip install .'", file=sys.stderr)
        return None
    return next(iter(found)).load()


if __name__ == "__main__":  # python -m fleet.cli
    sys.exit(main())
