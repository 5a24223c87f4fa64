"""``python -m simulators <kind> ...``: one subcommand per simulator kind.

Each kind is a module exposing ``add_arguments(parser)`` and ``run(args) -> int``; adding one
(e.g. ``city`` for MQTT vehicles) is one line in SUBCOMMANDS plus its own module.
"""

from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "drone": ("simulators.drone.cli", "ArduCopter-like MAVLink drones (and helicopters)"),
    "city": ("simulators.city.cli", "Hengyang's ground vehicles and boats as MQTT clients"),
    "calls": ("simulators.calls.cli", "a 110 call centre placing calls on fleet's CAD interface"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators")
    sub = parser.add_subparsers(dest="kind", required=True)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=help_text, description=module.__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(p)
        p.set_defaults(run=module.run)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
