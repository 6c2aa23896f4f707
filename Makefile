# The two commands: `make run` and `make test`. Both set everything up first (idempotent).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.dxgl-installed
export EGL_PLATFORM ?= surfaceless

.PHONY: install system-deps test run bench clean

install: system-deps $(STAMP)

system-deps:
	@tools/install_system_deps.sh

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[all]'
	touch $@

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

run: install
	$(VENV)/bin/dxgl serve --host 127.0.0.1 --port 8000 --data-dir ./data

bench: install
	$(PY) tools/bench/render.py

clean:
	rm -rf $(VENV) out build *.egg-info
