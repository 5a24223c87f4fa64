import sys
from pathlib import Path

# shared helpers of other suites, imported as plain modules (as tests/conftest.py does)
HERE = Path(__file__).parent
for sub in ("integration", "mqtt"):
    path = str(HERE.parent / sub)
    if path not in sys.path:
        sys.path.insert(0, path)
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
