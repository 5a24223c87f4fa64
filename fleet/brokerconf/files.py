"""Write a closed Mosquitto setup to a directory: config, password files, ACLs, secrets.

    out/mosquitto.conf          two listeners: units, control (core and CAD)
    out/units.passwd, units.acl       the units listener's accounts and rights
    out/control.passwd, control.acl   the control listener's
    out/credentials/units.json        unit address -> password, to provision terminals
    out/credentials/<user>.password   the core's and each CAD client's password

Every file is mode 0600 (the broker's user must own them: ``chown mosquitto``),
``credentials/`` 0700. Writing again
into the same directory keeps every existing password (a unit added to the config gets
a new one, a unit gone from it loses its account: revoked) unless ``rotate`` names it.
Mosquitto rereads the password and ACL files on SIGHUP.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .accounts import Accounts
from .acl import control_acl, units_acl
from .passwords import new_password, write_password_file, write_private

CREDENTIALS = "credentials"
UNITS_JSON = "units.json"


@dataclass(frozen=True, slots=True)
class Listener:
    """Where a listener binds, and its TLS files (``certfile``/``keyfile``: TLS on)."""

    host: str
    port: int
    cafile: str | None = None
    certfile: str | None = None
    keyfile: str | None = None

    @property
    def url(self) -> str:
        return f"{'mqtts' if self.certfile else 'mqtt'}://{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class BrokerFiles:
    directory: Path
    conf: Path
    unit_credentials: Path
    secrets: dict[str, Path] = field(default_factory=dict)  # control user -> password file
    created: tuple[str, ...] = ()  # accounts given a new password this time
    revoked: tuple[str, ...] = ()  # accounts of the previous files that are gone

    def password(self, user: str) -> str:
        """A control account's password, read from its 0600 file."""
        return self.secrets[user].read_text(encoding="utf-8").strip()


def _previous(creds: Path, users: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The passwords already in ``creds``: (units, control users)."""
    units: dict[str, str] = {}
    if (creds / UNITS_JSON).is_file():
        loaded = json.loads((creds / UNITS_JSON).read_text(encoding="utf-8"))
        units = {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
    control = {u: (creds / f"{u}.password").read_text(encoding="utf-8").strip()
               for u in users if (creds / f"{u}.password").is_file()}
    return units, control


def _listener(title: str, listener: Listener, passwd: Path, acl: Path,
              extra: tuple[str, ...] = ()) -> list[str]:
    lines = ["", f"# {title}", f"listener {listener.port} {listener.host}", *extra,
             "allow_anonymous false", f"password_file {passwd}", f"acl_file {acl}"]
    if listener.certfile:
        lines += [f"certfile {listener.certfile}", f"keyfile {listener.keyfile}"]
        if listener.cafile:
            lines.append(f"cafile {listener.cafile}")
    return lines


def mosquitto_conf(out: Path, units: Listener, control: Listener, *,
                   persistence: bool = True, header: Iterable[str] = ()) -> str:
    """The broker's config for the files written to ``out`` (absolute paths)."""
    lines = ["# fleet broker-config: a closed broker (docs/mqtt.md, Security). Generated;",
             "# regenerate rather than edit. Units connect to the first listener, the core",
             "# and CAD clients to the second (keep it on an internal address).",
             "per_listener_settings true",
             *(["persistence true", f"persistence_location {out}/"] if persistence
               else ["persistence false"]),
             *header]
    lines += _listener("units: each client id becomes the user name, so nobody takes over "
                       "a unit's session\n# without its password",
                       units, out / "units.passwd", out / "units.acl",
                       ("use_username_as_clientid true",))
    lines += _listener("control: the core and the CAD clients", control,
                       out / "control.passwd", out / "control.acl")
    return "\n".join(lines) + "\n"


def write_broker_files(out: Path, accounts: Accounts, units: Listener, control: Listener, *,
                       rotate: Iterable[str] = (), persistence: bool = True,
                       header: Iterable[str] = (), use_passwd_tool: bool = True
                       ) -> BrokerFiles:
    """Write (or rewrite) the closed setup for ``accounts`` into ``out``."""
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    creds = out / CREDENTIALS
    creds.mkdir(mode=0o700, exist_ok=True)
    os.chmod(creds, 0o700)
    rotated = set(rotate)
    old_units, old_control = _previous(creds, accounts.control_users)
    unit_pw = {u.username: old_units.get(u.username) if u.username not in rotated else None
               for u in accounts.units}
    control_pw = {u: old_control.get(u) if u not in rotated else None
                  for u in accounts.control_users}
    created = tuple(u for u, p in (*unit_pw.items(), *control_pw.items()) if p is None)
    unit_pw = {u: p or new_password() for u, p in unit_pw.items()}
    control_pw = {u: p or new_password() for u, p in control_pw.items()}
    revoked = tuple(sorted(set(old_units) - set(unit_pw)))

    write_private(creds / UNITS_JSON, json.dumps(unit_pw, indent=1) + "\n")
    secrets = {}
    for user, password in control_pw.items():
        secrets[user] = creds / f"{user}.password"
        write_private(secrets[user], password + "\n")
    write_password_file(out / "units.passwd", unit_pw, use_tool=use_passwd_tool)
    write_password_file(out / "control.passwd", control_pw, use_tool=use_passwd_tool)
    write_private(out / "units.acl", units_acl(accounts))
    write_private(out / "control.acl", control_acl(accounts))
    conf = out / "mosquitto.conf"
    write_private(conf, mosquitto_conf(out, units, control, persistence=persistence,
                                       header=header))
    return BrokerFiles(out, conf, creds / UNITS_JSON, secrets, created, revoked)
