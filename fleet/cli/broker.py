"""``fleet broker-config --config FILE --out DIR``: a closed Mosquitto for a deployment.

Writes the files of :mod:`fleet.brokerconf.files` for the config's units, the core and
the CAD accounts, and prints what it did and how to use it, never a password. Run it
again after adding or removing units: existing passwords are kept, new units get one,
removed units lose their account; ``--rotate NAME`` gives one account a new password
(a terminal lost or stolen). Then ``kill -HUP`` the broker to reload.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fleet.brokerconf.accounts import CORE_USER, DEFAULT_CAD_USERS, plan_accounts
from fleet.brokerconf.files import Listener, write_broker_files
from fleet.config import load_config
from fleet.config.urls import UrlError
from fleet.errors import ConfigError

EXIT_OK, EXIT_FAILURE = 0, 1


def _host_port(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host, int(port)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "broker-config", help="write a closed Mosquitto setup (accounts, ACLs, config)",
        description="Write mosquitto.conf, password files, ACLs and the credentials for "
        "the config's units, the core and CAD clients to DIR (docs/mqtt.md, Security). "
        "Existing passwords in DIR are kept.")
    p.add_argument("--config", required=True, type=Path, metavar="FILE",
                   help="fleet config (TOML): its units and [mqtt] topic_prefix")
    p.add_argument("--out", required=True, type=Path, metavar="DIR")
    p.add_argument("--units-listener", type=_host_port, default=None, metavar="HOST:PORT",
                   help="where units connect (default 0.0.0.0:8883 with TLS, else "
                   "0.0.0.0:1883)")
    p.add_argument("--control-listener", type=_host_port, default=("127.0.0.1", 1884),
                   metavar="HOST:PORT", help="where the core and CAD clients connect; keep "
                   "it internal (default 127.0.0.1:1884)")
    p.add_argument("--certfile", default=None, help="the broker's TLS certificate: TLS on "
                   "the units listener")
    p.add_argument("--keyfile", default=None, help="its private key")
    p.add_argument("--cafile", default=None, help="CA of client certificates, if any")
    p.add_argument("--cad", action="append", default=None, metavar="NAME",
                   help=f"a CAD account (repeatable; default {', '.join(DEFAULT_CAD_USERS)})")
    p.add_argument("--rotate", action="append", default=[], metavar="NAME",
                   help="give this account a new password (repeatable)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if bool(args.certfile) != bool(args.keyfile):
        raise ConfigError("--certfile and --keyfile go together", key="--certfile")
    config = load_config(args.config)
    accounts = plan_accounts(config, args.cad or DEFAULT_CAD_USERS)
    known = {u.username for u in accounts.units} | set(accounts.control_users)
    unknown = sorted(set(args.rotate) - known)
    if unknown:
        raise ConfigError(f"no such account: {', '.join(unknown)}", key="--rotate")
    units_at = args.units_listener or ("0.0.0.0", 8883 if args.certfile else 1883)
    units = Listener(*units_at, args.cafile, args.certfile, args.keyfile)
    control = Listener(*args.control_listener)
    try:
        files = write_broker_files(args.out, accounts, units, control, rotate=args.rotate)
    except (OSError, ValueError, UrlError) as exc:
        print(f"fleet: cannot write {args.out}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    d = files.directory
    print(f"wrote {d}: mosquitto.conf; units.passwd, units.acl ({len(accounts.units)} units); "
          f"control.passwd, control.acl ({', '.join(accounts.control_users)})")
    print(f"new passwords: {len(files.created)}; revoked: "
          f"{', '.join(files.revoked) or 'none'}; passwords are in {d / 'credentials'} "
          "(units.json for the units' terminals, NAME.password for the others)")
    print(f"run: mosquitto -c {files.conf}   (after a change: kill -HUP its pid)")
    print(f"core: [mqtt] url = \"{control.url}\", username = \"{CORE_USER}\", "
          f"password_file = \"{files.secrets[CORE_USER]}\"")
    print(f"units listener: {units.host}:{units.port}{' (TLS)' if args.certfile else ''}; "
          "each unit's user name (and client id) is its MQTT address")
    if not args.certfile and units.host not in ("127.0.0.1", "localhost", "::1"):
        print("warning: the units listener has no TLS: passwords cross the network in "
              "clear (give --certfile and --keyfile)", file=sys.stderr)
    return EXIT_OK
