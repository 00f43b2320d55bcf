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

.PHONY: serve test lint schema bench vendor clean

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

test: $(STAMP)
	@echo "Running the whole suite: about 15 minutes on 2 cores (the slowest tests are listed at the end)."
	$(BIN)/python -m pytest --durations=10

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

schema: $(STAMP)
	$(BIN)/python -m schema.generate

bench: $(STAMP)
	$(BIN)/python -m bench.run

# GraphiQL's files, pinned by web/package-lock.json, copied into api/static/vendor (committed, so
# that serving needs neither npm nor the internet). Needs npm and the npm registry.
vendor: $(STAMP)
	cd web && npm ci --ignore-scripts --no-audit --no-fund
	$(BIN)/python -m api.assets vendor web/node_modules

clean:
	rm -rf var/ .pytest_cache .mypy_cache .ruff_cache
