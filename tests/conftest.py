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
