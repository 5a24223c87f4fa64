import sys
from pathlib import Path

import pytest

# tests import their shared helpers as plain modules (tests/factories.py, tests/broker.py)
sys.path.insert(0, str(Path(__file__).parent))

from broker import start_broker


@pytest.fixture
def broker(tmp_path):
    """A fresh Mosquitto on a free port for one test."""
    b = start_broker(tmp_path)
    yield b
    b.stop()


@pytest.fixture(autouse=True)
def _private_config_home(tmp_path, monkeypatch):
    """Each test's audit key (``$XDG_CONFIG_HOME/fleet/audit.key``, created on first use)
    and default audit file and logs (``$XDG_STATE_HOME/fleet``) in its own directories,
    never the user's (a demo they run holds that audit's writer lock): children started
    by a test inherit them."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state-home"))
