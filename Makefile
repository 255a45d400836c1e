# The two commands of the README: `make serve` and `make test`. Each bootstraps .venv:
# `make serve` with the runtime dependencies only, `make test` with the test tools too.
# `make serve HOST=0.0.0.0 PORT=8011` picks the address (else LEONGRAPH_HOST / LEONGRAPH_PORT,
# else 127.0.0.1:8000).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed
HOST ?=
PORT ?=

.PHONY: serve test lint bench soak setup clean browser virtuoso

$(RUNTIME_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $(RUNTIME_STAMP)

$(STAMP): $(RUNTIME_STAMP)
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

serve: $(RUNTIME_STAMP)
	$(BIN)/leongraph serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# tests/test_browser.py drives Debian's chromium through chromedriver; install them when missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  ($(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver)

# The remote-engine tests run against Debian's Virtuoso 7 too (tests/conftest.py starts it on
# loopback ports); install it when missing (the dba password preseeded: nothing asks).
virtuoso:
	command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null || \
	  ($(SUDO) apt-get update -qq && \
	   printf '%s\n' "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password dba" \
	     "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password dba" | \
	     $(SUDO) debconf-set-selections && \
	   $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource) || \
	  echo "Virtuoso could not be installed: its tests will be skipped"

test: $(STAMP) lint browser virtuoso
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# A c=64 query mix for 60 s while abusive requests (README, "Limits") are sent: fails on any 500
# or a /healthz wait over 1 s. `make soak SOAK_ARGS="--duration 10"` for a short one.
soak: $(STAMP)
	$(BIN)/python benchmarks/soak.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV)
