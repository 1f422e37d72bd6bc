# The two commands: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
NPM_STAMP := gateway/node_modules/.package-lock.json

.PHONY: run test lint layers types pytest seed clean chromium services services-stop

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-installed

$(NPM_STAMP): gateway/package.json gateway/package-lock.json
	npm ci --prefix gateway --no-audit --no-fund --loglevel=error

## run: install, seed Seoul (once), train the models' small defaults (once) and serve http://127.0.0.1:8000
run: $(VENV)/.run-installed $(NPM_STAMP)
	$(BIN)/civicgraph seed
	$(BIN)/civicgraph ml train --if-missing
	$(BIN)/civicgraph serve

## test: install what the tests need, then lint, layers, types and the whole suite
test: $(VENV)/.test-installed $(NPM_STAMP) chromium lint layers types pytest

## services: start PostgreSQL, Redis, Mosquitto and Neo4j on loopback (see docs/operations.md)
services:
	tools/services/services.sh start dev

## services-stop: stop them
services-stop:
	tools/services/services.sh stop

chromium:
	@command -v chromium >/dev/null 2>&1 && test -d /usr/share/fonts/opentype/noto || { \
	  echo "Installing Debian's chromium and Noto CJK fonts (Korean) for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	    fonts-noto-cjk >/dev/null; }

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## layers: the import contracts of pyproject's [tool.importlinter] (README.md, "Layers")
layers: $(VENV)/.test-installed
	$(BIN)/lint-imports --no-cache --no-logo

types: $(VENV)/.test-installed
	$(BIN)/mypy

## pytest: the suite on PYTEST_WORKERS xdist workers (0: in this process); tests that share a
## service or a costly fixture keep to one worker (xdist groups, tests/conftest.py)
PYTEST_WORKERS ?= 2
pytest: $(VENV)/.test-installed $(NPM_STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup

clean:
	rm -rf var .mypy_cache .ruff_cache .pytest_cache
