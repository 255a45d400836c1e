# The two commands of the README: `make serve` and `make test`. Each bootstraps .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint bench setup clean browser virtuoso

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

serve: $(STAMP)
	$(BIN)/leongraph serve

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

clean:
	rm -rf $(VENV)
