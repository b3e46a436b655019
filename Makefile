# Two commands for a fresh machine:  make book   and   make test
# Everything else here is a step those two call (and `make lock`, after changing pyproject.toml).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The pinned environment: exact versions + hashes of every dependency, made from pyproject.toml
# by `make lock` (uv, pinned here, in its own .venv-lock/). tests/test_environment.py fails when
# the lock is out of step with pyproject.toml.
LOCK       := requirements.txt
UV_VERSION := 0.13.9
# Use the shared data mirror when it sits beside the clone (as in CI); the environment wins.
RATIFY_DATA_MIRROR ?= $(wildcard $(abspath ../shared/data/mirror))
export RATIFY_DATA_MIRROR

.PHONY: book test install lock data site clean clean-cache

book: install data site ## install, fetch + verify the data, build book/_build/html

test: install ## run the test suite
	$(BIN)/python -m pytest --durations=10

install: $(STAMP)

# Exactly the locked versions (pip refuses any file whose hash is not in the lock), then the
# book's own library without touching them (setuptools and wheel come from the lock too).
$(STAMP): $(LOCK) pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0] + "; set PYTHON=/path/to/python3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ratify)" > /dev/null
	@touch $@

lock: ## regenerate requirements.txt (exact versions + hashes) from pyproject.toml
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet uv==$(UV_VERSION)
	$(PYTHON) scripts/lock.py .venv-lock/bin/uv

data: install ## fetch every registered file (mirror or network) and verify its SHA-256
	$(BIN)/ratify data fetch

site: install ## build the HTML book (warnings are errors)
	$(BIN)/ratify book build

clean: ## remove the build output (keeps the data cache)
	rm -rf book/_build

clean-cache: ## remove the data cache
	rm -rf data/cache
