"""Console tests run in Hengyang's time zone, so clocks on screen are the same anywhere."""

import time

import pytest


@pytest.fixture(autouse=True)
def hengyang_time(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
