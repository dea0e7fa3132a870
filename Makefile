PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# One stamp per set of packages: `make run` installs only what serving needs; the tests, the linters and the
# benchmarks add their extras (setup.cfg) to the same venv when first asked for. --no-compile: Python compiles a
# module when it is first imported, not every module of every package at install (that halves `make run`'s).
SERVE_STAMP := $(VENV)/.serve-stamp
TEST_STAMP := $(VENV)/.test-stamp
BENCH_STAMP := $(VENV)/.bench-stamp
# `make wheel`: where it goes, and flags for pip (e.g. --no-build-isolation --no-index, offline)
DIST ?= dist
WHEEL_FLAGS ?=

.PHONY: run lint test test-inprocess test-far-date test-live test-postgres system-deps bench bench-deps wheel viewer clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(SERVE_STAMP): setup.cfg setup.py pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --no-compile -e .
	touch $@

# pytest turns warnings into errors, a module's compile-time ones too (oss2's invalid escapes): compiled here, once
# (silently, as pip does), what --no-compile left to be compiled on import.
$(TEST_STAMP): setup.cfg setup.py pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	$(BIN)/python -m compileall -qq $(VENV)/lib || true
	touch $@ $(SERVE_STAMP)

$(BENCH_STAMP): setup.cfg setup.py pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --no-compile -e '.[bench]'
	touch $@ $(SERVE_STAMP)

run: $(SERVE_STAMP)
	$(BIN)/mockservers seed --scenario demo --state sqlite:///var/state.db
	$(BIN)/mockservers serve --host 127.0.0.1 --port 8080 --state sqlite:///var/state.db

# ruff (format check and lint) on everything, mypy where pyproject.toml's [tool.mypy] says; all three report
# before it fails. To fix most of it: .venv/bin/ruff format . && .venv/bin/ruff check --fix .
lint: $(TEST_STAMP)
	@status=0; \
	$(BIN)/ruff format --check . || status=1; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/mypy || status=1; \
	exit $$status

# The suite three ways: in-process; every test written against `client` again over HTTP to a live server;
# and the same again with PostgreSQL state (a private cluster on loopback; skipped, saying why, if none starts).
# Each pass runs on pytest-xdist workers (TEST_WORKERS: `auto` is one per CPU; 0 runs in this process): a live
# server per worker, one PostgreSQL cluster the workers share (a schema per app), tests an xdist_group keeps on one
# worker. The slowest tests of each pass are listed at its end.
# Bytecode is kept even where the environment says not to write it: pytest rewrites the asserts of some 800 test
# and plugin modules, in every worker of every pass, and caches the result only as bytecode (7 s of each collection).
TEST_WORKERS ?= auto
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=15

test: system-deps viewer test-inprocess test-live test-postgres

test-inprocess: $(TEST_STAMP)
	$(PYTEST)

test-live: $(TEST_STAMP)
	$(PYTEST) --mock-live

# The in-process pass again as if years from now: fake data must not depend on the date.
test-far-date: $(TEST_STAMP)
	$(PYTEST) --travel-to 2036-02-29

test-postgres: $(TEST_STAMP)
	$(PYTEST) --mock-state postgres -m "not no_postgres_pass"

# Debian packages the tests use when they are there: PostgreSQL (its pass), Chromium (the dashboard's and the
# viewer's browser tests, driven by Playwright) and a Chinese font for it (aliyun's labels, not empty boxes), npm (`make viewer` installs the viewer with it), libfaketime (a
# whole process run on another date), curl and openssl (the docs' examples). Installing needs root, as CI has;
# without them those tests skip, saying why.
system-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-wqy-microhei"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	ls /usr/lib/*/faketime/libfaketime.so.1 >/dev/null 2>&1 || missing="$$missing libfaketime"; \
	for tool in curl openssl; do command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	if [ -z "$$missing" ]; then echo "system packages: present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	  || echo "could not install$$missing: the tests that need it will be skipped"; \
	else echo "missing$$missing and not installable here: the tests that need it will be skipped"; fi

# Benchmarks, not tests: peers measured in the same run (wrk, WireMock from its npm package, Orthanc).
bench: $(BENCH_STAMP) bench-deps
	$(BIN)/python scripts/bench/run.py

bench-deps:
	@{ command -v wrk && command -v Orthanc && [ -e /usr/share/orthanc/plugins/libOrthancDicomWeb.so ]; } \
	  >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq wrk orthanc orthanc-dicomweb iproute2 >/dev/null; } || \
	  echo "wrk/Orthanc could not be installed: those rows will be missing"
	@[ -d scripts/bench/node_modules/wiremock ] || (cd scripts/bench && \
	  npm install --silent --no-audit --no-fund --no-save wiremock@3 >/dev/null) || \
	  echo "WireMock could not be installed (npm): its column will be missing"

# The package as a wheel in dist/, carrying the dashboard, the docs pages and fixtures/ (as mockservers/_fixtures):
# `pip install dist/mockservers-*.whl` or `pipx install dist/mockservers-*.whl` anywhere.
wheel: | $(BIN)/python
	$(BIN)/python -m pip wheel --no-deps $(WHEEL_FLAGS) --wheel-dir $(DIST) .

# The OHIF Viewer served at /viewer/: npm's built @ohif/app (MIT), fetched once into var/viewer (about 50 MB to
# download, 213 MB unpacked); again only for another OHIF_VERSION. Without npm it says so, and the viewer's browser
# test is skipped. `make run` serves it when it is there.
OHIF_VERSION ?= 3.13.2
viewer:
	@$(PYTHON) -m mockservers.viewer.install --version $(OHIF_VERSION) var/viewer || \
	  echo "the viewer could not be installed: its browser test will be skipped"

clean:
	rm -rf $(VENV) var build dist *.egg-info
