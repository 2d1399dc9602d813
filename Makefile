# The commands a newcomer needs. Each installs what it needs first.
VENV   := .venv
PY     := $(VENV)/bin/python
ACCORD := $(VENV)/bin/accord
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: install run test bench lint format clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --constraint requirements.lock --editable ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## make run: install, load the demo company (and, in a database without users, its demo
## accounts: README "Accounts") if the database holds no dataset, serve on :8000
run: install
	$(ACCORD) summary --json > /dev/null 2>&1 || $(ACCORD) demo
	$(ACCORD) serve --host 127.0.0.1 --port 8000

## make test: install and run the whole suite
test: install
	$(PY) -m pytest -n 2 --dist loadgroup -q

## make bench: the performance harness of SPEC §7 on the large demo company
bench: install
	command -v wrk > /dev/null || apt-get install -y -q wrk || \
	  (apt-get update -q && apt-get install -y -q wrk)
	$(PY) benchmarks/run.py

lint: install
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy
	.ci/audit

format: install
	$(VENV)/bin/ruff format src tests benchmarks
	$(VENV)/bin/ruff check --fix src tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
