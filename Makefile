# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
# Both create .venv on first use and install segverify with its dev and render extras;
# graphviz-pure (a static `dot` in a wheel, no root needed) guarantees a Graphviz renderer,
# and a system `dot` is preferred at run time when one is on PATH.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := out

MULTITOOL := .tools/sarif-multitool/.version

.PHONY: demo test lint typecheck pytest bench clean install

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,render]'
	$(BIN)/python -m compileall -q segverify
	touch $(STAMP)

# compileall: an editable install never byte-compiles; without cached bytecode (or with
# PYTHONDONTWRITEBYTECODE set) every run recompiles ~90 modules, ~0.13 s of a 0.5 s check.
demo: $(STAMP)
	@$(BIN)/python -m compileall -q segverify
	@bash scripts/demo.sh

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check segverify tests
	$(BIN)/ruff format --check segverify tests

typecheck: $(STAMP)
	$(BIN)/mypy

# Microsoft's SARIF Multitool validates our SARIF against the schema and GitHub's ingestion rules.
# It comes from npm; without npm a laptop skips that test, but CI (CI set) must have it.
$(MULTITOOL): scripts/install-sarif-multitool.sh
	bash scripts/install-sarif-multitool.sh >/dev/null || test -z "$$CI"

# -n auto: one worker per core (the suite is CPU-bound; about half the wall time on 2 cores).
pytest: $(STAMP) $(MULTITOOL)
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto

bench: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m slow
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(OUT) .tools .pytest_cache .mypy_cache .ruff_cache
