# Two commands for a fresh machine:  make book   and   make test
# Everything else here is a step those two call.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Use the shared data mirror when it sits beside the clone (as in CI); the environment wins.
RATIFY_DATA_MIRROR ?= $(wildcard $(abspath ../shared/data/mirror))
export RATIFY_DATA_MIRROR

.PHONY: book test install data site clean clean-cache

book: install data site ## install, fetch + verify the data, build book/_build/html

test: install ## run the test suite
	$(BIN)/python -m pytest --durations=10

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0] + "; set PYTHON=/path/to/python3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ratify)" > /dev/null
	@touch $@

data: install ## fetch every registered file (mirror or network) and verify its SHA-256
	$(BIN)/ratify data fetch

site: install ## build the HTML book (warnings are errors)
	$(BIN)/ratify book build

clean: ## remove the build output (keeps the data cache)
	rm -rf book/_build

clean-cache: ## remove the data cache
	rm -rf data/cache
