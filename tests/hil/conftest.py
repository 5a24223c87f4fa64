"""Hardware in the loop: every test here runs on two backends (docs/hil.md).

``sim``: fleet's own simulator as a child process at 20x, always available, part of
``make test``. ``sitl``: ArduPilot SITL binaries at 5x (``make hil``); skipped with the
reason when the environment does not point at them, a failure instead when
``FLEET_HIL_REQUIRE_SITL=1`` (so ``make hil`` cannot pass by skipping).

    async def test_x(backend):
        async with backend.fleet(model="quad", count=2, params={"FENCE_ENABLE": 1}) as (svc, ids):
            ...
            await until(svc, predicate, backend.wall(60))   # 60 vehicle seconds
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helpers beside this file

from backend import Backend
from sim_backend import SimBackend
from sitl_backend import SitlBackend
from sitl_setup import sitl_configured, sitl_required

#: per-test wall limit on SITL (pytest's default of 120 s is for the sim side)
SITL_TEST_TIMEOUT_S = 600


@pytest.fixture(params=["sim", pytest.param("sitl", marks=pytest.mark.hil)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sim":
        yield SimBackend(tmp_path)
        return
    if not sitl_configured():
        why = ("SITL not configured: set ARDUPILOT_DIR (a checkout with a SITL build) or "
               "ARDUPILOT_SITL/ARDUROVER_SITL, or run `make hil ARDUPILOT_DIR=...`")
        if sitl_required():
            pytest.fail(f"FLEET_HIL_REQUIRE_SITL is set but {why}")
        pytest.skip(why)
    yield SitlBackend(tmp_path)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") == "sitl":
            item.add_marker(pytest.mark.timeout(SITL_TEST_TIMEOUT_S))


@pytest.fixture(scope="session")
def fidelity_results() -> dict[str, dict[str, float]]:
    """Phase durations (vehicle seconds) per backend, shared by the fidelity test's runs."""
    return {}
