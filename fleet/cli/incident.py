"""``fleet incident new|list|show|dispatch|reassign|release|clear|close|cancel|note``.

Each reaches the running core the way a CAD system does, through the broker the core
already listens on: ``new`` on ``{prefix}/cad/incident``, the others on
``{prefix}/cad/action`` (docs/dispatch.md, "CAD over MQTT"), and waits for the answer
with its request id. The core records the action (under ``--operator``) before it
answers. Exit codes: 0 accepted, 1 rejected (the reason on stderr), a call recorded but
nobody dispatched (``failed``: which units were refused and why on stderr) or the broker
unreachable, 2 usage or config error, 3 no answer in time: the action may or may not
have been done, and resending with the same ``--id`` finds out without doing it twice,
4 dispatched, but some units refused (``partial``; they are named on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import json
import sys
import uuid
from pathlib import Path
from typing import Any

from fleet.cli.args import positive_float
from fleet.config import FleetConfig, MqttConfig, demo_config_path, load_config
from fleet.config.urls import UrlError, parse_mqtt_url
from fleet.dispatch import cad_render
from fleet.dispatch.cad import CadPayloadError, CadRequest, encode_request, request_topics
from fleet.dispatch.cad_actions import (
    OPS,
    ActionRequest,
    action_topics,
    encode_action,
    parse_action,
)
from fleet.dispatch.intake import Intake
from fleet.errors import ConfigError, FleetError, FleetTimeoutError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_NO_ANSWER, EXIT_PARTIAL = 0, 1, 2, 3, 4
#: answers that carry an incident: the action (or the call) was recorded
RECORDED = ("accepted", "partial", "failed")

#: op -> (help, positional arguments: (name, help)); options are added in _op_options
ACTIONS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "list": ("the open incidents (--all: every one the core holds)", []),
    "show": ("one incident: units, times, how each arrived, notes", []),
    "dispatch": ("send the recommended units (or --unit U ...)", []),
    "reassign": ("replace a unit (default: the proposed replacement)",
                 [("unit", "the unit to replace")]),
    "release": ("let one unit go (the others stay)", [("unit", "the unit to release")]),
    "clear": ("the scene is dealt with: every unit released", []),
    "close": ("close a cleared incident", []),
    "cancel": ("call off an incident (a false alarm): units released", []),
    "note": ("add a note", [("text", "the note")]),
}


def _default_operator() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def register(sub: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--operator", default=_default_operator(), metavar="NAME",
                        help="recorded in the audit as who acted (default: your login)")
    common.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help="fleet config (default: the Hengyang demo)")
    common.add_argument("--broker", default=None, metavar="URL",
                        help="broker URL, overriding the config (e.g. mqtt://127.0.0.1:1883)")
    common.add_argument("--timeout", type=positive_float, default=10.0, metavar="S",
                        help="how long to wait for the core's answer (default 10)")
    common.add_argument("--json", action="store_true", help="print the core's raw answer")
    common.add_argument("--id", default=None, metavar="REQUEST_ID",
                        help="request id (default: random); a resend with the same id is "
                        "answered again, never done twice")
    incident = sub.add_parser("incident", help="report and handle incidents of the running "
                              "fleet (through its broker)")
    isub = incident.add_subparsers(dest="incident_command", metavar="ACTION", required=True)
    new = isub.add_parser("new", parents=[common], help="record a new incident",
                          description="Send a call to the running core over MQTT "
                          "({prefix}/cad/incident) and print its answer.")
    new.add_argument("--lat", required=True, type=float, help="latitude, degrees")
    new.add_argument("--lon", required=True, type=float, help="longitude, degrees")
    new.add_argument("--category", required=True, help="e.g. violent_crime, theft, traffic")
    new.add_argument("--priority", type=int, default=None, help="1 (most urgent) .. 5")
    new.add_argument("--notes", default="")
    new.add_argument("--ref", default=None, help="your own call number")
    new.add_argument("--dispatch", action="store_true", help="send the recommended units now")
    new.set_defaults(handler=incident_new)
    status = sub.add_parser("status", parents=[common],
                            help="the running core: links, refusals by reason, units",
                            description="Ask the running core (over its broker, "
                            "{prefix}/cad/action, as a CAD account) for each link's state, "
                            "what each refused by reason, and its units by status.")
    status.set_defaults(handler=incident_action, op="status")
    for op, (text, positionals) in ACTIONS.items():
        p = isub.add_parser(op, parents=[common], help=text, description=text[0].upper()
                            + text[1:] + " ({prefix}/cad/action).")
        if op != "list":
            p.add_argument("incident", metavar="ID", help="incident id, e.g. INC-251128-001")
        for name, what in positionals:
            p.add_argument(name, metavar=name.upper(), help=what)
        _op_options(op, p)
        p.set_defaults(handler=incident_action, op=op)


def _op_options(op: str, p: argparse.ArgumentParser) -> None:
    """Options named as the request's fields, so the request is built from the table."""
    if op == "list":
        p.add_argument("--all", dest="open_only", action="store_false",
                       help="closed, cleared and cancelled ones too")
        p.add_argument("--limit", type=int, default=None, metavar="N",
                       help="at most the newest N (default 100)")
    if op == "dispatch":
        p.add_argument("--unit", dest="units", action="append", default=None, metavar="U",
                       help="a unit to send (repeat for more); default: the recommendation")
    if op == "reassign":
        p.add_argument("--to", default=None, metavar="U", help="the replacement unit")
    if op in ("reassign", "release", "cancel"):
        p.add_argument("--reason", default=None)
    if op in ("clear", "close"):
        p.add_argument("--disposition", default=None, metavar="D",
                       help='how it ended, e.g. "report taken", "arrest", "no trace"')
    if op == "clear":
        p.add_argument("--note", default=None, metavar="TEXT")


def _config(args: argparse.Namespace) -> FleetConfig:
    return load_config(args.config or demo_config_path())


# -- fleet incident new -----------------------------------------------------------------
def incident_new(args: argparse.Namespace) -> int:
    config = _config(args)
    intake = Intake(config.dispatch, config.zones, config.key_sites,
                    list(config.bases.values()), config.name)
    intake.check(args.lat, args.lon, args.category, args.priority, args.notes)  # fail fast
    mqtt = broker_config(config, args.broker)
    req = CadRequest(args.id or uuid.uuid4().hex, args.lat, args.lon, args.category,
                     args.priority, args.notes, args.operator, args.ref, args.dispatch)
    answer = _accepted(exchange(mqtt, req, args.timeout), req.id, args.json)
    if isinstance(answer, int):
        return answer
    if not args.json:
        print(f"{answer['incident']} recorded: {answer.get('zone_name')}, target "
              f"{answer.get('target_s', 0):.0f} s")
        for line in answer.get("explanation", []):
            print(f"  {line}")
        if answer.get("dispatched"):
            print(f"dispatched: {', '.join(answer['dispatched'])}")
    return _outcome(answer)


# -- fleet incident ACTION --------------------------------------------------------------
def incident_action(args: argparse.Namespace) -> int:
    op = args.op
    fields = {name: value for name in OPS[op]
              if (value := getattr(args, name, None)) is not None}
    req = ActionRequest(args.id or uuid.uuid4().hex, op, getattr(args, "incident", None),
                        args.operator or None, fields)
    try:
        parse_action(encode_action(req))  # the core's own checks, before the round trip
    except CadPayloadError as exc:
        print(f"fleet: {op}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    mqtt = broker_config(_config(args), args.broker)
    answer = _accepted(exchange_action(mqtt, req, args.timeout), req.id, args.json)
    if isinstance(answer, int):
        return answer
    if not args.json:
        if op == "list":
            lines = cad_render.list_lines(answer)
        elif op == "status":
            lines = cad_render.status_lines(answer)
        elif op == "show":
            lines = cad_render.show_lines(answer["incident"], float(answer["ts"]))
        else:
            lines = cad_render.action_lines(answer)
        print("\n".join(lines))
    return _outcome(answer)


def _accepted(exchange_: Any, request_id: str, as_json: bool) -> dict[str, Any] | int:
    """The accepted answer (printed raw first with ``--json``), or the exit code for no
    answer in time or a rejection (said on stderr)."""
    answer = _ask(exchange_, request_id)
    if answer is None:
        return EXIT_NO_ANSWER
    if as_json:
        print(json.dumps(answer, ensure_ascii=False))
    if answer.get("result") not in RECORDED:
        return _rejected(answer)
    return answer


def _outcome(answer: dict[str, Any]) -> int:
    """0 when everything asked was done; a dispatch that sent nobody (``failed``) or
    not every unit (``partial``) says which units were refused and why, on stderr."""
    result = answer.get("result")
    refused = answer.get("refused") or []
    for r in refused:
        name = f"{r.get('callsign')} ({r.get('unit')})" if r.get("callsign") else r.get("unit")
        print(f"fleet: not sent: {name}: {r.get('reason')}", file=sys.stderr)
    if result == "failed":
        print(f"fleet: recorded as {answer.get('incident')}, but NOBODY was dispatched: "
              f"{answer.get('reason') or 'no reason given'}", file=sys.stderr)
        return EXIT_REJECTED
    if result == "partial":
        print(f"fleet: partial dispatch: {len(refused)} unit(s) refused, the others sent",
              file=sys.stderr)
        return EXIT_PARTIAL
    return EXIT_OK


def _ask(exchange_: Any, request_id: str) -> dict[str, Any] | None:
    """The answer, or None (said on stderr) when none came in time."""
    try:
        return asyncio.run(exchange_)
    except FleetTimeoutError as exc:
        print(f"fleet: {exc}; the request may or may not have been acted on: resend it "
              f"with --id {request_id} to find out without acting twice", file=sys.stderr)
        return None


def _rejected(answer: dict[str, Any]) -> int:
    print(f"fleet: rejected: {answer.get('reason') or 'no reason given'}", file=sys.stderr)
    for r in answer.get("refused") or []:
        name = f"{r.get('callsign')} ({r.get('unit')})" if r.get("callsign") else r.get("unit")
        print(f"fleet: not sent: {name}: {r.get('reason')}", file=sys.stderr)
    return EXIT_REJECTED


def broker_config(config: FleetConfig, url: str | None) -> MqttConfig:
    """The config's broker, or ``url`` instead (``fleet demo`` picks a random port)."""
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
    """Publish a new call and wait for the answer with its id."""
    request_topic, ack_topic = request_topics(mqtt.topic_prefix)
    return await _exchange(mqtt, request_topic, ack_topic, req.id, encode_request(req),
                           timeout)


async def exchange_action(mqtt: MqttConfig, req: ActionRequest, timeout: float
                          ) -> dict[str, Any]:
    """Publish an action and wait for the answer with its id."""
    action_topic, ack_topic = action_topics(mqtt.topic_prefix)
    return await _exchange(mqtt, action_topic, ack_topic, req.id, encode_action(req), timeout)


async def _exchange(mqtt: MqttConfig, topic: str, ack_topic: str, request_id: str,
                    payload: bytes, timeout: float) -> dict[str, Any]:
    import aiomqtt

    from fleet.dispatch.cad_link import client

    try:
        async with client(mqtt, f"fleet-cli-{uuid.uuid4().hex[:12]}") as c:
            await c.subscribe(ack_topic, qos=1)
            await c.publish(topic, payload, qos=1)
            async with asyncio.timeout(timeout):
                async for message in c.messages:
                    try:
                        body = json.loads(message.payload)  # type: ignore[arg-type]
                    except ValueError:
                        continue
                    if isinstance(body, dict) and body.get("id") == request_id:
                        return body
    except aiomqtt.MqttError as exc:
        raise FleetError(f"cannot reach the broker at {mqtt.url}: {exc}") from None
    except TimeoutError:
        raise FleetTimeoutError(f"no answer within {timeout:g} s: is fleet running with "
                                f"the broker {mqtt.url}?") from None
    raise FleetError("the broker closed the connection before fleet answered")
