# Two entry points for a new user: `make serve` (ingest the bundled data, serve the API on
# $(HOST):$(PORT), 127.0.0.1:8000 unless given: `make serve PORT=8080`) and `make test` (the
# whole test suite). Both create and reuse .venv.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP   = $(VENV)/.stackgraph-installed
SERVING = $(VENV)/.stackgraph-serving

.PHONY: serve test lint schema bench vendor wheelhouse clean

# What serving needs, and only that (the test tools come with `make test`).
$(SERVING): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing stackgraph and what serving needs into $(VENV) (a minute or two, once)..."
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -e .
	touch $@

$(STAMP): $(SERVING)
	@echo "Installing the test tools into $(VENV) (once)..."
	$(BIN)/python -m pip install --progress-bar on -e '.[test]'
	touch $@

serve: $(SERVING)
	$(BIN)/stackgraph ingest data/
	@echo "Open http://$(HOST):$(PORT)/ for the explorer, http://$(HOST):$(PORT)/graphql for GraphiQL; Ctrl-C stops."
	$(BIN)/stackgraph serve --host $(HOST) --port $(PORT)

# The tests run on every core (pytest-xdist, WORKERS=auto). A plain `make test` leaves out the
# tests marked slow; with CI=true (as .ci/run sets it) it runs the whole suite.
WORKERS ?= auto
ifneq ($(filter true 1 yes,$(CI)),)
TESTS = the whole suite, the tests marked slow included (about 7 minutes on 2 cores)
MARKS =
else
TESTS = the tests not marked slow (4 to 5 minutes on 2 cores; CI=true runs them all)
MARKS = -m "not slow"
endif

test: $(STAMP)
	@echo "Running $(TESTS), on $(WORKERS) workers; the slowest are listed at the end."
	@start=$$(date +%s); \
	$(BIN)/python -m pytest -n $(WORKERS) $(MARKS) --durations=10; code=$$?; \
	echo "make test took $$(( $$(date +%s) - start )) s"; exit $$code

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

schema: $(STAMP)
	$(BIN)/python -m stackgraph.schema.generate

bench: $(STAMP)
	$(BIN)/python -m bench.run

# The wheels the packaging test installs from, offline (`pip install --no-index --find-links`):
# stackgraph's dependencies, the build backend, and PyPI's `schema`, the library whose import name
# stackgraph must leave free. Needs the package index once; the test skips without it (CI fills it).
WHEELHOUSE ?= .wheelhouse
wheelhouse: $(SERVING)
	$(BIN)/python -m pip download --quiet --dest $(WHEELHOUSE) . hatchling schema

# GraphiQL's files, pinned by web/package-lock.json, copied into api/static/vendor (committed, so
# that serving needs neither npm nor the internet). Needs npm and the npm registry.
vendor: $(STAMP)
	cd web && npm ci --ignore-scripts --no-audit --no-fund
	$(BIN)/python -m stackgraph.api.assets vendor web/node_modules

clean:
	rm -rf var/ .pytest_cache .mypy_cache .ruff_cache $(WHEELHOUSE)
