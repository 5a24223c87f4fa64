# The two commands of the README: `make demo` and `make test`. Everything else is theirs.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.fleet-installed

.PHONY: demo test lint bench hil mosquitto clean

# the demo runs a closed Mosquitto (docs/mqtt.md, Security): installed like the tests'
demo: $(STAMP) mosquitto
	$(BIN)/fleet demo

test: $(STAMP) mosquitto
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m bench

# tests/hil against ArduPilot SITL from your checkout: make hil ARDUPILOT_DIR=~/ardupilot
# [HIL_BUILD=1] [HIL_ARGS="-k boat"]; see docs/hil.md
hil: $(STAMP)
	./scripts/hil.sh $(HIL_ARGS)

$(STAMP): pyproject.toml scripts/ensure-venv.sh
	./scripts/ensure-venv.sh
	touch $@

mosquitto:
	./scripts/ensure-mosquitto.sh

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
