# make run: the service on this machine. make test: the whole suite against a real Temporal.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
UV := uv==0.13.9
COMPILE := $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 --generate-hashes

.PHONY: run test lint bench clean histories lock

# Exactly the locked versions (hashes checked), then the project itself without resolving again.
$(STAMP): pyproject.toml $(DEV_LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Re-resolve after a change to pyproject.toml's dependencies (tests/test_lock.py says when).
# The runtime lock (the Dockerfile's) is constrained to the dev lock: one version of everything.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet $(UV)
	$(COMPILE) --extra dev -o $(DEV_LOCK)
	$(COMPILE) -c $(DEV_LOCK) -o $(LOCK)

run: $(STAMP)
	SAMVERKAN_SEED_DEMO=$${SAMVERKAN_SEED_DEMO:-true} exec $(BIN)/python -m worker.launch

# Byte-compiled first: Temporal's sandbox loads a workflow's module anew for every workflow run,
# and with PYTHONDONTWRITEBYTECODE set (as here and in the image) it would compile it each time.
SOURCES := core store workflows activities api worker

test: $(STAMP)
	$(BIN)/python -m compileall -q $(SOURCES)
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
