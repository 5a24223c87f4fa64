"""``fleet incident``, ``fleet audit`` and ``fleet report``.

``fleet incident ...`` (:mod:`.incident`) reaches the running core the way a CAD
system does, through the broker's CAD topics. ``audit`` and ``report`` read the audit
file directly, read-only, so they work whether or not the core is running.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from contextlib import closing
from pathlib import Path

from fleet.city_time import to_unix
from fleet.cli import incident as incident_cli
from fleet.cli.audit import audit_verify_options, verify_command
from fleet.cli.incident import exchange as exchange  # the CAD client, for tests and tools
from fleet.config import load_config
from fleet.dispatch import report_render, reports
from fleet.dispatch.audit import default_audit_path, open_readonly, select
from fleet.dispatch.chain import AuditRecord
from fleet.dispatch.incident import INCIDENT_EVENT_KINDS
from fleet.dispatch.settings import DispatchSettings
from fleet.errors import FleetError

EXIT_OK, EXIT_FAILURE = 0, 1


def register(sub: argparse._SubParsersAction) -> None:
    incident_cli.register(sub)

    audit = sub.add_parser("audit", help="verify or export the audit log")
    asub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = asub.add_parser(
        "verify", help="check the keyed chain and its anchors (exit 1 if tampered)",
        description="Check every row's HMAC with the audit key, the chain's links, and the "
        "head against the anchor files. Exit 0 intact, 1 tampered (naming the first bad "
        "row), 2 cannot check (no key, wrong key, bad arguments).")
    _db_options(verify)
    audit_verify_options(verify)
    verify.set_defaults(handler=audit_verify)
    export = asub.add_parser("export", help="every row as CSV or JSON lines")
    _db_options(export)
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.set_defaults(handler=audit_export)

    report = sub.add_parser("report", help="response times per zone and category",
                            description="Response times from the audit: call to dispatch, "
                            "dispatch to arrival, total; share within target; utilisation.")
    _db_options(report)
    report.add_argument("--from", dest="start", type=parse_time, default=None, metavar="WHEN",
                        help="ISO date/time (local) or @unix; default: 7 days before --to")
    report.add_argument("--to", dest="end", type=parse_time, default=None, metavar="WHEN",
                        help="ISO date/time (local) or @unix; default: now")
    report.add_argument("--csv", action="store_true", help="CSV instead of text")
    report.set_defaults(handler=report_command)


def _config_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, default=None, metavar="FILE",
                   help="fleet config (default: the Hengyang demo)")


def _db_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", type=Path, default=None, metavar="PATH",
                   help=f"audit database (default: the config's, else {default_audit_path()})")
    _config_option(p)


def parse_time(text: str) -> float:
    try:
        if text.startswith("@"):
            return float(text[1:])
        return to_unix(dt.datetime.fromisoformat(text))  # naive: the city's time
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an ISO date/time (2025-01-31, 2025-01-31T08:00) or @unix, got {text!r}"
        ) from None


def _db(args: argparse.Namespace) -> Path:
    if args.db is not None:
        return args.db
    if args.config is not None:
        configured = load_config(args.config).dispatch.audit_db
        if configured and configured != ":memory:":
            return Path(configured)
    return default_audit_path()


# -- fleet audit ------------------------------------------------------------------------
def _settings(args: argparse.Namespace) -> DispatchSettings:
    return load_config(args.config).dispatch if args.config is not None else DispatchSettings()


def audit_verify(args: argparse.Namespace) -> int:
    return verify_command(args, _db(args), _settings(args))


def audit_export(args: argparse.Namespace) -> int:
    import csv

    with closing(open_readonly(_db(args))) as conn:
        rows = select(conn)
        if args.format == "json":
            for r in rows:
                print(json.dumps(dataclasses.asdict(r), ensure_ascii=False))
            return EXIT_OK
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow([f.name for f in dataclasses.fields(AuditRecord)])
        for r in rows:
            w.writerow([r.seq, repr(r.time), r.operator, r.kind, r.incident or "",
                        r.unit or "", json.dumps(r.data, sort_keys=True, ensure_ascii=False),
                        r.prev_hash, r.hash, r.key_id or ""])
    return EXIT_OK


# -- fleet report -----------------------------------------------------------------------
def report_command(args: argparse.Namespace) -> int:
    end = args.end if args.end is not None else dt.datetime.now().timestamp()
    start = args.start if args.start is not None else end - 7 * 86400
    if start >= end:
        raise FleetError(f"--from must be before --to ({start:.0f} >= {end:.0f})")
    with closing(open_readonly(_db(args))) as conn:
        # incidents received in the window, plus their later events (closing next day)
        rows = select(conn, since=start, kinds=INCIDENT_EVENT_KINDS)
        report = reports.build(rows, start, end)
    sys.stdout.write(report_render.csv_text(report) if args.csv
                     else report_render.text(report))
    return EXIT_OK
