# The two set-up commands: `make demo` and `make test`; `make lab` opens the course.
# Each builds its own virtual environment in .venv and installs what it needs; the
# Debian packages they need (graphviz; for the tests also chromium and a CJK font)
# are installed only when missing, as root or with sudo. Without either, they say
# what to install and go on.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out
LAB_PORT ?= 8888
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
# Kernels talk over local sockets (no TCP warning), websocket pings within tornado's limit.
LAB_OPTIONS = --no-browser --port=$(LAB_PORT) --notebook-dir=notebooks \
	--KernelManager.transport=ipc "--ServerApp.tornado_settings={'ws_ping_timeout': 30000}"
NOTEBOOKS = notebooks/*.ipynb $(wildcard notebooks/ko/*.ipynb)

.PHONY: demo test bench lab notebooks graphviz chromium cjk-font

demo: $(VENV)/.demo graphviz
	$(BIN)/python -m nn --out $(OUT)

test: $(VENV)/.test graphviz chromium cjk-font
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# Speed and memory, run by hand: every figure and ratio comes from this one run.
bench: $(VENV)/.bench
	$(BIN)/python tests/benchmarks/bench_engine.py
	$(BIN)/python tests/benchmarks/bench_gpt.py
	$(BIN)/python tests/benchmarks/bench_cnn.py

# JupyterLab on the course, the show_steps slider included; stop it with Ctrl-C.
lab: $(VENV)/.lab graphviz cjk-font
	-$(BIN)/jupyter trust -y $(NOTEBOOKS) >/dev/null 2>&1
	@echo "Starting JupyterLab on notebooks/: open the http://localhost:...?token=... URL below"
	$(BIN)/jupyter lab $(LAB_OPTIONS) $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) \
		--KernelManager.ip=$$(mktemp -d)/kernel

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.demo: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[demo]'
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,demo,notebooks]'
	touch $@

$(VENV)/.lab: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[lab]'
	touch $@

$(VENV)/.bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[bench,demo,test]'
	touch $@

# $(call debian,CHECK,PACKAGE,WHAT FOR): when the shell test CHECK fails, install Debian's
# PACKAGE as root or with sudo; without either, say what to install and carry on.
define debian
	@{ $(1); } >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; \
		elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
		else echo "note: Debian's $(2) is missing ($(3)); install it as root:" \
			"apt-get update && apt-get install -y $(2)" >&2; exit 0; fi; \
		echo "Installing Debian's $(2) ($(3))"; \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2); }
endef

graphviz:
	$(call debian,command -v dot,graphviz,the dot program that draws graphs)

chromium:
	$(call debian,test -x /usr/bin/chromium,chromium,the browser test of the step-through page)

cjk-font:
	$(call debian,test -e $(CJK_FONT),fonts-noto-cjk,Korean text in the notebooks)

# Re-run every notebook in place, so the committed outputs match the code they show; a
# second run changes no byte (see tests/run_notebooks.py).
notebooks: $(VENV)/.test graphviz cjk-font
	$(BIN)/python tests/run_notebooks.py $(NOTEBOOKS)
