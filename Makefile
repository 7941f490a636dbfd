# The two set-up commands: `make demo` and `make test`. Each builds its own
# virtual environment in .venv, installs what it needs, and installs Debian's
# graphviz when the `dot` program is missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: demo test bench graphviz notebooks

demo: $(VENV)/.demo graphviz
	$(BIN)/python -m nn --out $(OUT)

test: $(VENV)/.test graphviz
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

bench: $(VENV)/.bench
	$(BIN)/python tests/benchmarks/bench_engine.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.demo: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[demo]'
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,demo,notebooks]'
	touch $@

$(VENV)/.bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[bench,demo]'
	touch $@

graphviz:
	@command -v dot >/dev/null 2>&1 || { \
		echo "Installing Debian's graphviz (the dot program)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq graphviz; }

# Re-run every notebook in place, so the committed outputs match the code they show.
notebooks: $(VENV)/.test graphviz
	$(BIN)/python -c "import sys, nbformat, nbclient; \
	[nbformat.write(nbclient.NotebookClient(nbformat.read(p, as_version=4), timeout=300, \
	resources={'metadata': {'path': 'notebooks'}}).execute(), p) for p in sys.argv[1:]]" notebooks/*.ipynb
