# make run: the service on this machine. make test: the whole suite against a real Temporal.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
BENCH_LOCK := requirements-bench.lock
UV := uv==0.13.9
COMPILE := $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 --generate-hashes

.PHONY: run test lint bench profile bench-web bench-figures clean histories messages vendor browser-deps rebuild lock fuzz

# Exactly the locked versions (hashes checked), then the project itself without resolving again.
$(STAMP): pyproject.toml $(DEV_LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Re-resolve after a change to pyproject.toml's dependencies (tests/test_lock.py says when).
# The runtime lock (the Dockerfile's) and the profilers' (`make bench`) are constrained to the
# dev lock: one version of everything.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet $(UV)
	$(COMPILE) --extra dev -o $(DEV_LOCK)
	$(COMPILE) -c $(DEV_LOCK) -o $(LOCK)
	$(COMPILE) --extra bench -c $(DEV_LOCK) -o $(BENCH_LOCK)

run: $(STAMP)
	SAMVERKAN_SEED_DEMO=$${SAMVERKAN_SEED_DEMO:-true} exec $(BIN)/python -m worker.launch

# Byte-compiled first: Temporal's sandbox loads a workflow's module anew for every workflow run,
# and with PYTHONDONTWRITEBYTECODE set (as here and in the image) it would compile it each time.
SOURCES := core store workflows activities services api worker

# Two processes: the SQLite and the PostgreSQL half of the suite side by side (tests/conftest.py).
# A test process that dies is not replaced: with --dist loadgroup a replacement can wait for
# work that never comes, and the run would hang instead of failing with the test's name.
test: $(STAMP) browser-deps
	$(BIN)/python -m compileall -q $(SOURCES)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --max-worker-restart=0

# The browser tests need Debian's Chromium (apt) and axe-core (npm). Where either cannot be had
# (not root, no apt, no network) they are skipped, each with a message saying why.
browser-deps:
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ; } \
		|| echo "note: Chromium could not be installed; the browser tests will be skipped"
	@test -f node_modules/axe-core/axe.min.js || { command -v npm >/dev/null && npm ci --no-audit --no-fund --silent; } \
		|| echo "note: axe-core could not be installed (npm ci); the browser tests will be skipped"

# The API fuzzed long from its own schema, as every role, on SQLite and PostgreSQL (the short
# seeded run is part of `make test`). FUZZ_EXAMPLES requests per database; a new seed each run
# unless FUZZ_SEED is given (a failure prints the seed it ran with).
FUZZ_EXAMPLES ?= 20000
fuzz: $(STAMP)
	SAMVERKAN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) SAMVERKAN_FUZZ_SEED=$${FUZZ_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')} \
		$(BIN)/python -m pytest -n 2 --dist loadgroup -s -q --timeout 0 tests/api/test_fuzz.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy .

BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP) $(BENCH_LOCK)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(BENCH_LOCK)
	touch $(BENCH_STAMP)

# Every figure of the performance section, against bare Temporal, in one run (ARGS="--only single").
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench $(ARGS)

# Where the time goes on each path: reports in var/profile/ (see bench/PROFILE.md).
profile: $(BENCH_STAMP)
	$(BIN)/python -m bench.profile $(ARGS)

bench-web: $(STAMP)
	$(BIN)/python bench/worklist_page.py
	$(BIN)/python bench/case_page.py

# The supervisors' overview over 100 000 cases, on SQLite and PostgreSQL (goal: p95 <= 100 ms).
bench-figures: $(STAMP)
	$(BIN)/python bench/figures.py

clean:
	rm -rf $(VENV) var

# Record the scenarios' workflow histories anew, beside the old ones (never over them), for
# tests/test_replay.py: after a workflow change guarded by workflow.patched (README, Tests).
histories: $(STAMP)
	SAMVERKAN_RECORD_HISTORIES=1 $(BIN)/python -m pytest -q -k 'not postgresql' tests/test_journey_paths.py tests/test_journey_clocks.py tests/test_tracks.py tests/test_agreements.py

# After changing a page, a mail or a word: the catalogues get the new messages (translate the
# Swedish ones in locale/sv; English is the message itself unless locale/en says otherwise).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -c "reason:" --no-location --sort-output --width 100 -o locale/messages.pot .
	$(BIN)/pybabel update -i locale/messages.pot -d locale --no-fuzzy-matching --ignore-obsolete --width 100
	rm locale/messages.pot

# htmx and Swagger UI (the API explorer at /docs) are served from the project: refresh the
# vendored copies from the npm packages (package.json).
vendor:
	npm ci --no-audit --no-fund --silent
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE static/vendor/htmx/
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
		node_modules/swagger-ui-dist/LICENSE node_modules/swagger-ui-dist/NOTICE static/vendor/swagger-ui/

# Rebuild the case read model (the supervisors' figures) from the journeys in Temporal.
rebuild: $(STAMP)
	$(BIN)/python -m services.rebuild
