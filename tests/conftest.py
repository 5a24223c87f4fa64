import asyncio
import sys
import threading
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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Just before pytest-timeout fails a test, print where each asyncio task waits:
    its own dump shows threads only, and a hung coroutine test shows as the loop's
    ``select``. Printed to stdout, so it lands in the failed test's captured output."""
    timeout = item.config.getini("timeout")
    marker = item.get_closest_marker("timeout")
    if marker is not None and marker.args:
        timeout = marker.args[0]
    timer = threading.Timer(max(float(timeout or 0) - 2.0, 1.0), _dump_tasks)
    timer.daemon = True
    if timeout:
        timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _dump_tasks() -> None:
    tasks = [t for t in list(asyncio.tasks._all_tasks) if not t.done()]
    print(f"\n---- {len(tasks)} pending asyncio tasks, 2 s before the timeout ----")
    for task in tasks:
        print(f"-- {task.get_name()}")
        awaited, depth = task.get_coro(), 0
        while awaited is not None and depth < 30:  # the chain of awaits, outermost first
            frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
            if frame is None:
                print(f"   awaiting {awaited!r}")
                break
            print(f"   {frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}")
            awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom",
                                                                     None)
            depth += 1
