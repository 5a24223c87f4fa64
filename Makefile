# The two commands of the README: `make demo` and `make test`. Everything else is theirs.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.fleet-installed

.PHONY: demo test lint bench mosquitto clean

demo: $(STAMP)
	$(BIN)/fleet demo

test: $(STAMP) mosquitto
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m bench

$(STAMP): pyproject.toml scripts/ensure-venv.sh
	./scripts/ensure-venv.sh
	touch $@

mosquitto:
	./scripts/ensure-mosquitto.sh

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
