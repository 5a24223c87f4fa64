"""A closed Mosquitto for fleet: accounts, passwords, ACLs and the broker's config.

Who may say what on the broker (docs/mqtt.md, "Security"):

* every unit has its own account (user name = its MQTT address) and may publish only its
  own ``telemetry``, ``status`` and ``ack`` and read only its own ``cmd``;
* ``fleet-core`` (the core) reads every unit and alone publishes ``cmd``, fleet's state,
  the audit head and the CAD answers;
* CAD accounts publish CAD requests and read their answers and the incident feed;
* nobody is anonymous.

Units and the rest meet the broker on two listeners: the *units* listener replaces each
client id with its user name (``use_username_as_clientid``), so nobody can take over a
unit's session without its password; the *control* listener (core and CAD, keep it on
an internal address) has the core's and the CAD accounts only. The demo
(:mod:`fleet.broker`) and ``fleet broker-config`` (production) write the same files.
"""

from .accounts import CORE_USER, Accounts, UnitAccount, plan_accounts
from .files import BrokerFiles, Listener, write_broker_files

__all__ = ["CORE_USER", "Accounts", "BrokerFiles", "Listener", "UnitAccount",
           "plan_accounts", "write_broker_files"]
