# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
# Both create .venv on first use and install segverify with its dev and render extras, every
# dependency (direct and transitive, build tools included) at the exact version and hash of
# requirements/lock.txt, so a new upstream release cannot change what they run (`make lock`
# refreshes the lock; `make test-latest` tries the newest versions pyproject.toml allows);
# graphviz-pure (a static `dot` in a wheel, no root needed) guarantees a Graphviz renderer,
# and a system `dot` is preferred at run time when one is on PATH.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := out

MULTITOOL := .tools/sarif-multitool/.version
BROWSER   := .tools/browser.stamp

LOCK        := requirements/lock.txt
UV_VERSION  := 0.13.9
UV_VENV     := .tools/uv
LATEST      := .venv-latest
LOWEST      := .venv-lowest

.PHONY: demo test lint typecheck pytest bench clean install lock test-latest test-lowest test-browser

install: $(STAMP)

# The lock is installed in hash-checking mode (pip refuses anything unpinned or altered); the
# project itself then installs editable with the locked setuptools, without build isolation,
# which would fetch the newest setuptools from the index.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m compileall -q segverify
	touch $(STAMP)

$(UV_VENV)/bin/uv:
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/python -m pip install --quiet uv==$(UV_VERSION)

# One universal lock (markers for every Python from 3.10) with the hash of every file.
lock: $(UV_VENV)/bin/uv
	$(UV_VENV)/bin/uv pip compile pyproject.toml requirements/build.in --extra dev --extra render \
		--universal --python-version 3.10 --generate-hashes --upgrade --quiet -o $(LOCK)

# The newest versions pyproject.toml allows, in a separate venv: upstream changes seen early.
# SEGVERIFY_UNLOCKED tells the lock test that this environment is deliberately not the lock's.
test-latest: $(MULTITOOL) $(BROWSER)
	rm -rf $(LATEST) && $(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[dev,render]'
	SEGVERIFY_UNLOCKED=1 $(LATEST)/bin/python -m pytest -q -p no:cacheprovider -n auto

# The oldest versions of the direct dependencies that pyproject.toml allows: the lower bounds are
# what the code really needs.
test-lowest: $(UV_VENV)/bin/uv $(MULTITOOL) $(BROWSER)
	rm -rf $(LOWEST) && $(UV_VENV)/bin/uv venv --quiet --python $(PYTHON) $(LOWEST)
	VIRTUAL_ENV=$(LOWEST) $(UV_VENV)/bin/uv pip install --quiet --resolution lowest-direct -e '.[dev,render]'
	SEGVERIFY_UNLOCKED=1 $(LOWEST)/bin/python -m pytest -q -p no:cacheprovider -n auto

# compileall: an editable install never byte-compiles; without cached bytecode (or with
# PYTHONDONTWRITEBYTECODE set) every run recompiles ~90 modules, ~0.13 s of a 0.5 s check.
demo: $(STAMP)
	@$(BIN)/python -m compileall -q segverify
	@bash scripts/demo.sh

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check segverify tests bench/synth
	$(BIN)/ruff format --check segverify tests bench/synth

typecheck: $(STAMP)
	$(BIN)/mypy

# Microsoft's SARIF Multitool validates our SARIF against the schema and GitHub's ingestion rules.
# It comes from npm; without npm a laptop skips that test, but CI (CI set) must have it.
$(MULTITOOL): scripts/install-sarif-multitool.sh
	bash scripts/install-sarif-multitool.sh >/dev/null || test -z "$$CI"

# Headless Chromium and pdftotext (Debian packages, root or sudo) for the audit report's browser
# test (tests/browser/). Without them a laptop skips that test, but CI (CI set) must have them.
$(BROWSER): scripts/install-browser.sh
	@mkdir -p .tools && printf '*\n' >.tools/.gitignore
	bash scripts/install-browser.sh >/dev/null && touch $@ || test -z "$$CI"

# -n auto: one worker per core (the suite is CPU-bound; about half the wall time on 2 cores).
pytest: $(STAMP) $(MULTITOOL) $(BROWSER)
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto

# The browser test alone: the flagship's report opened, navigated and printed by Chromium.
test-browser: $(STAMP) $(BROWSER)
	$(BIN)/python -m pytest -q -p no:cacheprovider -p no:xdist tests/browser

bench: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m slow
	$(BIN)/python -m bench
	$(BIN)/python -m bench.lint
	$(BIN)/python -m bench.k8s
	$(BIN)/python -m bench.yaml_load
	$(BIN)/python -m bench.layers

clean:
	rm -rf $(VENV) $(LATEST) $(LOWEST) $(OUT) .tools .pytest_cache .mypy_cache .ruff_cache
