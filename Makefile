# One command to run the app on the bundled corpus, one to run the tests. Both install what they need.
VENV   ?= .venv
PY     := $(VENV)/bin/python
INDEX  ?= .councilqa/index
# --no-cache-dir: no second copy of every wheel in ~/.cache (a CI run once ran out of disk installing torch)
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check --no-cache-dir

.PHONY: install run test test-fast browser clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) torch==2.13.0          # the CPU build; pinned so pip never pulls a CUDA build
	$(PIP) -e '.[dev,ray]'       # ray: `ingest --ray` and its tests
	touch $@

install: $(VENV)/.installed

run: install                    # index the bundled corpus, then serve the app and its API on http://127.0.0.1:7860
	$(VENV)/bin/councilqa ingest data/sample --index $(INDEX)
	$(VENV)/bin/councilqa serve --index $(INDEX)

browser:                        # headless Chromium for the browser test; without it that test is skipped, and says so
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "chromium could not be installed: the browser test will be skipped"

test: install browser           # everything: real-model and browser tests included (about two minutes)
	$(PY) -m pytest -m ''

test-fast: install              # the fast suite: deterministic hashing embedder, no model load
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .councilqa .pytest_cache .hypothesis
