"""``fleet incident``, ``fleet audit`` and ``fleet report``.

``fleet incident new`` reaches the running core the way a CAD system does: it publishes
the call on the configured broker's ``{prefix}/cad/incident`` and waits for the answer
(the core records the incident durably before answering). The other commands read the
audit file directly, read-only, so they work whether or not the core is running.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import sys
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

from fleet.config import FleetConfig, MqttConfig, demo_config_path, load_config
from fleet.config.urls import UrlError, parse_mqtt_url
from fleet.errors import ConfigError, FleetError, FleetTimeoutError

from . import report_render, reports
from .audit import default_audit_path, open_readonly, select, verify_db
from .cad import CadRequest, encode_request, request_topics
from .chain import AuditRecord
from .incident import INCIDENT_EVENT_KINDS
from .intake import Intake

EXIT_OK, EXIT_FAILURE = 0, 1


def register(sub: argparse._SubParsersAction) -> None:
    incident = sub.add_parser("incident", help="report an incident to the running fleet")
    isub = incident.add_subparsers(dest="incident_command", metavar="ACTION", required=True)
    new = isub.add_parser("new", help="record a new incident (through the broker)",
                          description="Send a call to the running core over MQTT "
                          "({prefix}/cad/incident) and print its answer.")
    new.add_argument("--lat", required=True, type=float, help="latitude, degrees")
    new.add_argument("--lon", required=True, type=float, help="longitude, degrees")
    new.add_argument("--category", required=True, help="e.g. violent_crime, theft, traffic")
    new.add_argument("--priority", type=int, default=None, help="1 (most urgent) .. 5")
    new.add_argument("--notes", default="")
    new.add_argument("--operator", default=None, help="who takes the call")
    new.add_argument("--ref", default=None, help="your own call number")
    new.add_argument("--dispatch", action="store_true", help="send the recommended units now")
    _config_option(new)
    new.add_argument("--broker", default=None, metavar="URL",
                     help="broker URL, overriding the config (e.g. mqtt://127.0.0.1:1883)")
    new.add_argument("--timeout", type=float, default=10.0, metavar="S")
    new.set_defaults(handler=incident_new)

    audit = sub.add_parser("audit", help="verify or export the audit log")
    asub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = asub.add_parser("verify", help="check the hash chain (exit 1 if tampered)")
    _db_options(verify)
    verify.add_argument("--expect-head", default=None, metavar="HASH",
                        help="the head hash noted earlier: also catches rows cut off the end")
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
        return dt.datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an ISO date/time (2025-01-31, 2025-01-31T08:00) or @unix, got {text!r}"
        ) from None


def _config(args: argparse.Namespace) -> FleetConfig:
    return load_config(args.config or demo_config_path())


def _db(args: argparse.Namespace) -> Path:
    if args.db is not None:
        return args.db
    if args.config is not None:
        configured = load_config(args.config).dispatch.audit_db
        if configured and configured != ":memory:":
            return Path(configured)
    return default_audit_path()


# -- fleet incident new ---------------------------------------------------------------
def incident_new(args: argparse.Namespace) -> int:
    config = _config(args)
    intake = Intake(config.dispatch, config.zones, config.key_sites,
                    list(config.bases.values()), config.name)
    intake.check(args.lat, args.lon, args.category, args.priority, args.notes)  # fail fast
    mqtt = _broker(config, args.broker)
    req = CadRequest(uuid.uuid4().hex, args.lat, args.lon, args.category, args.priority,
                     args.notes, args.operator, args.ref, args.dispatch)
    answer = asyncio.run(exchange(mqtt, req, args.timeout))
    if answer.get("result") != "accepted":
        print(f"fleet: rejected: {answer.get('reason', 'no reason given')}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"{answer['incident']} recorded: {answer.get('zone_name')}, target "
          f"{answer.get('target_s', 0):.0f} s")
    for line in answer.get("explanation", []):
        print(f"  {line}")
    if answer.get("dispatched"):
        print(f"dispatched: {', '.join(answer['dispatched'])}")
    return EXIT_OK


def _broker(config: FleetConfig, url: str | None) -> MqttConfig:
    mqtt = config.mqtt
    if url is not None:
        try:
            parsed = parse_mqtt_url(url, False)
        except UrlError as exc:
            raise ConfigError(str(exc), key="--broker") from None
        assert parsed.host is not None and parsed.port is not None
        base = mqtt or MqttConfig(url, parsed.host, parsed.port, None, None, None, None)
        return dataclasses.replace(base, url=url, host=parsed.host, port=parsed.port)
    if mqtt is None:
        raise ConfigError("no [mqtt] broker: the CLI reaches the core through it "
                          "(or give --broker URL)", path=config.source)
    return mqtt


async def exchange(mqtt: MqttConfig, req: CadRequest, timeout: float) -> dict[str, Any]:
    """Publish ``req`` and wait for the answer with its id."""
    import aiomqtt

    from .cad_link import client

    request_topic, ack_topic = request_topics(mqtt.topic_prefix)
    try:
        async with client(mqtt, f"fleet-cli-{req.id[:12]}") as c:
            await c.subscribe(ack_topic, qos=1)
            await c.publish(request_topic, encode_request(req), qos=1)
            async with asyncio.timeout(timeout):
                async for message in c.messages:
                    try:
                        body = json.loads(message.payload)
                    except ValueError:
                        continue
                    if isinstance(body, dict) and body.get("id") == req.id:
                        return body
    except aiomqtt.MqttError as exc:
        raise FleetError(f"cannot reach the broker at {mqtt.url}: {exc}") from None
    except TimeoutError:
        raise FleetTimeoutError(f"no answer within {timeout:g} s: is fleet running with "
                                f"the broker {mqtt.url}?") from None
    raise FleetError("the broker closed the connection before fleet answered")


# -- fleet audit ------------------------------------------------------------------------
def audit_verify(args: argparse.Namespace) -> int:
    path = _db(args)
    with closing(open_readonly(path)) as conn:
        result = verify_db(conn, args.expect_head)
    print(f"{path}: {result.message()}")
    return EXIT_OK if result.ok else EXIT_FAILURE


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
                        r.prev_hash, r.hash])
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
