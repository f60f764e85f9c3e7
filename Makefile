# make run: the service on this machine. make test: the whole suite against a real Temporal.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean histories

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	SAMVERKAN_SEED_DEMO=$${SAMVERKAN_SEED_DEMO:-true} $(BIN)/python -m worker.launch

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy .

bench: $(STAMP)
	$(BIN)/python bench/action_latency.py

clean:
	rm -rf $(VENV) var

# Re-record the workflow histories that tests/test_replay.py replays (after a deliberate change).
histories: $(STAMP)
	SAMVERKAN_RECORD_HISTORIES=1 $(BIN)/python -m pytest -q tests/test_journey_paths.py tests/test_journey_clocks.py tests/test_tracks.py
