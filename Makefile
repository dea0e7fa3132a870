PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run lint test test-inprocess test-far-date test-live test-postgres system-deps bench bench-deps clean viewer

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mockservers seed --scenario demo --state sqlite:///var/state.db
	$(BIN)/mockservers serve --host 127.0.0.1 --port 8080 --state sqlite:///var/state.db

# ruff (format check and lint) on everything, mypy where pyproject.toml's [tool.mypy] says; all three report
# before it fails. To fix most of it: .venv/bin/ruff format . && .venv/bin/ruff check --fix .
lint: $(STAMP)
	@status=0; \
	$(BIN)/ruff format --check . || status=1; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/mypy || status=1; \
	exit $$status

# The suite three ways: in-process; every test written against `client` again over HTTP to a live server;
# and the same again with PostgreSQL state (a private cluster on loopback; skipped, saying why, if none starts).
test: system-deps viewer test-inprocess test-live test-postgres

test-inprocess: $(STAMP)
	$(BIN)/python -m pytest

test-live: $(STAMP)
	$(BIN)/python -m pytest --mock-live

# The in-process pass again as if years from now: fake data must not depend on the date.
test-far-date: $(STAMP)
	$(BIN)/python -m pytest --travel-to 2036-02-29

test-postgres: $(STAMP)
	$(BIN)/python -m pytest --mock-state postgres -m "not no_postgres_pass"

# Debian packages the tests use when they are there: PostgreSQL (its pass), Chromium (the dashboard's and the
# viewer's browser tests, driven by Playwright), npm (`make viewer` installs the viewer with it) and libfaketime (a
# whole process run on another date). Installing needs root, as CI has; without them those tests skip, saying why.
system-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	ls /usr/lib/*/faketime/libfaketime.so.1 >/dev/null 2>&1 || missing="$$missing libfaketime"; \
	if [ -z "$$missing" ]; then echo "system packages: present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	  || echo "could not install$$missing: the tests that need it will be skipped"; \
	else echo "missing$$missing and not installable here: the tests that need it will be skipped"; fi

# Benchmarks, not tests: peers measured in the same run (wrk, WireMock from its npm package, Orthanc).
bench: $(STAMP) bench-deps
	$(BIN)/python scripts/bench/run.py

bench-deps:
	@{ command -v wrk && command -v Orthanc && [ -e /usr/share/orthanc/plugins/libOrthancDicomWeb.so ]; } \
	  >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq wrk orthanc orthanc-dicomweb iproute2 >/dev/null; } || \
	  echo "wrk/Orthanc could not be installed: those rows will be missing"
	@[ -d scripts/bench/node_modules/wiremock ] || (cd scripts/bench && \
	  npm install --silent --no-audit --no-fund --no-save wiremock@3 >/dev/null) || \
	  echo "WireMock could not be installed (npm): its column will be missing"

# The OHIF Viewer served at /viewer/: npm's built @ohif/app (MIT), fetched once into var/viewer (about 50 MB to
# download, 213 MB unpacked); again only for another OHIF_VERSION. Without npm it says so, and the viewer's browser
# test is skipped. `make run` serves it when it is there.
OHIF_VERSION ?= 3.13.2
viewer:
	@$(PYTHON) -m mockservers.viewer.install --version $(OHIF_VERSION) var/viewer || \
	  echo "the viewer could not be installed: its browser test will be skipped"

clean:
	rm -rf $(VENV) var build *.egg-info
