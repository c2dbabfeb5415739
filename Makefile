# The README's commands. Each one creates .venv and installs from requirements.lock when
# needed, so a fresh clone needs nothing but Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
ARGS   ?=

.PHONY: install report test lint bench lab bless check clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

report: $(STAMP)
	$(BIN)/coco build $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check analysis tests
	$(BIN)/pytest analysis tests notebooks --doctest-modules --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check analysis tests

bench: $(STAMP)
	$(BIN)/python -m tests.benchmarks $(ARGS)
	$(BIN)/python -m tests.benchmarks.build
	$(BIN)/python -m tests.benchmarks.scale $(SCALE_ARGS)

lab: $(STAMP)
	$(BIN)/coco lab $(ARGS)

bless: $(STAMP)
	$(BIN)/coco bless

check: $(STAMP)
	$(BIN)/coco check

clean:
	rm -rf reports/notebooks reports/site reports/data reports/figures reports/build.json reports/.current reports/.build-* reports/.lock reports/.cache .pytest_cache
