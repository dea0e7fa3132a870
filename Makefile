PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mockservers serve --host 127.0.0.1 --port 8080 --state sqlite:///var/state.db

# The suite twice: in-process, then every test written against `client` again over HTTP to a live server.
test: $(STAMP)
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest --mock-live

clean:
	rm -rf $(VENV) var build *.egg-info
