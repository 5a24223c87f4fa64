"""The two ACL files (Mosquitto ``acl_file`` syntax), one per listener.

Units get explicit ``topic`` lines rather than ``pattern write {prefix}/+/%u/telemetry``:
the pattern would leave the ``{kind}`` segment to the unit, so a unit named ``incident``
could write ``{prefix}/cad/incident/ack``, and any unit could report under another kind.
Spelling each unit's kind out costs five lines a unit in a generated file. ``%c`` is not
needed: the units listener makes every client id its user name.
"""

from __future__ import annotations

from .accounts import Accounts, UnitAccount

UNIT_WRITES = ("telemetry", "status", "ack")
UNIT_READS = ("cmd",)


def _unit_block(prefix: str, unit: UnitAccount) -> list[str]:
    base = f"{prefix}/{unit.kind}/{unit.username}"
    lines = [f"user {unit.username}"]
    lines += [f"topic write {base}/{leaf}" for leaf in UNIT_WRITES]
    lines += [f"topic read {base}/{leaf}" for leaf in UNIT_READS]
    if unit.owntracks is not None:
        lines.append(f"topic write owntracks/{unit.owntracks}")
    return lines


def units_acl(accounts: Accounts) -> str:
    """Each unit writes its own telemetry, status and ack and reads its own cmd; nothing
    else (no CAD, no state, no other unit)."""
    out = ["# fleet broker-config: the units listener. Generated; regenerate, do not edit.",
           "# Each unit writes only its own telemetry/status/ack and reads only its own cmd."]
    for unit in accounts.units:
        out += ["", *_unit_block(accounts.prefix, unit)]
    return "\n".join(out) + "\n"


def control_acl(accounts: Accounts) -> str:
    """The core reads every unit and alone writes commands, fleet's state, the audit
    head and the CAD answers; CAD clients write requests and read answers and the feed."""
    p = accounts.prefix
    out = ["# fleet broker-config: the control listener. Generated; regenerate, do not edit.",
           "", f"user {accounts.core}",
           f"topic read {p}/+/+/telemetry", f"topic read {p}/+/+/status",
           f"topic read {p}/+/+/ack", f"topic write {p}/+/+/cmd",
           "topic read owntracks/#",
           f"topic readwrite {p}/state/#", f"topic readwrite {p}/cad/#",
           f"topic readwrite {p}/audit/#"]
    for name in accounts.cad:
        out += ["", f"user {name}",
                f"topic write {p}/cad/incident", f"topic write {p}/cad/action",
                f"topic read {p}/cad/incident/ack", f"topic read {p}/cad/action/ack",
                f"topic read {p}/cad/incidents/+", f"topic read {p}/audit/head"]
    return "\n".join(out) + "\n"
