# One command to run the app on the bundled corpus, one to run the tests. Both install what they need.
VENV   ?= .venv
PY     := $(VENV)/bin/python
INDEX  ?= .councilqa/index
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: install run test test-fast clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) torch==2.13.0          # the CPU build; pinned so pip never pulls a CUDA build
	$(PIP) -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install                    # index the bundled corpus, then serve the app on http://127.0.0.1:7860
	$(VENV)/bin/councilqa ingest data/sample --index $(INDEX)
	$(VENV)/bin/councilqa serve --index $(INDEX)

test: install                   # everything, the real-model tests included (about a minute)
	$(PY) -m pytest -m ''

test-fast: install              # the fast suite: deterministic hashing embedder, no model load
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .councilqa .pytest_cache .hypothesis
