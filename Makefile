PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-inprocess test-live test-postgres system-deps clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mockservers serve --host 127.0.0.1 --port 8080 --state sqlite:///var/state.db

# The suite three ways: in-process; every test written against `client` again over HTTP to a live server;
# and the same again with PostgreSQL state (a private cluster on loopback; skipped, saying why, if none starts).
test: test-inprocess test-live test-postgres

test-inprocess: $(STAMP)
	$(BIN)/python -m pytest

test-live: $(STAMP)
	$(BIN)/python -m pytest --mock-live

test-postgres: $(STAMP)
	$(BIN)/python -m pytest --mock-state postgres -m "not no_postgres_pass"

# Debian packages the tests use when they are there (PostgreSQL); needs root, as CI has.
system-deps:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then echo "PostgreSQL: present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
	  || echo "PostgreSQL could not be installed: its tests will be skipped"; \
	else echo "PostgreSQL missing and not installable here: its tests will be skipped"; fi

clean:
	rm -rf $(VENV) var build *.egg-info
