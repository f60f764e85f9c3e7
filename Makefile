# make run: the service on this machine. make test: the whole suite against a real Temporal.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench profile bench-web bench-figures clean histories messages vendor browser-deps rebuild

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	SAMVERKAN_SEED_DEMO=$${SAMVERKAN_SEED_DEMO:-true} $(BIN)/python -m worker.launch

# Two processes: the SQLite and the PostgreSQL half of the suite side by side (tests/conftest.py).
test: $(STAMP) browser-deps
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# The browser tests need Debian's Chromium (apt) and axe-core (npm). Where either cannot be had
# (not root, no apt, no network) they are skipped, each with a message saying why.
browser-deps:
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ; } \
		|| echo "note: Chromium could not be installed; the browser tests will be skipped"
	@test -f node_modules/axe-core/axe.min.js || { command -v npm >/dev/null && npm ci --no-audit --no-fund --silent; } \
		|| echo "note: axe-core could not be installed (npm ci); the browser tests will be skipped"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy .

BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
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
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --width 100 -o locale/messages.pot .
	$(BIN)/pybabel update -i locale/messages.pot -d locale --no-fuzzy-matching --ignore-obsolete --width 100
	rm locale/messages.pot

# htmx is served from the project: refresh the vendored copy from the npm package (package.json).
vendor:
	npm ci --no-audit --no-fund --silent
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE static/vendor/htmx/

# Rebuild the case read model (the supervisors' figures) from the journeys in Temporal.
rebuild: $(STAMP)
	$(BIN)/python -m services.rebuild
