# Mobile Measurement Academy — one-command loops. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8888
WORKSPACE ?= workspace
# pytest workers for `make test` (2 cores here)
JOBS ?= 2
ROOT_FLAG := $(shell [ "$$(id -u)" = "0" ] && echo --allow-root)

.PHONY: help install data data-rebuild release lab test bench lint autograde feedback grades grading-status clean-notebooks clean

help:
	@echo "make lab        set everything up and open the portal (JupyterLab on $(HOST):$(PORT))"
	@echo "make test       run every test (unit, property, notebooks, grading round-trips)"
	@echo "make data       generate the default datasets if missing, else check they regenerate byte-identically"
	@echo "make release    build the released assignments and the learner workspace (never overwrites your edits)"
	@echo "make autograde  grade every submission in grading/submitted/<student>/<assignment>/ (sandboxed, parallel;"
	@echo "                GRADING_ARGS='--workers N', '--unsafe' without bubblewrap: see grading/README.md)"
	@echo "make feedback   write feedback pages (no hidden tests) into grading/feedback/"
	@echo "make grades     write grading/exports/grades.csv"
	@echo "make bench      run the benchmarks (not part of the tests); results in bench-results/"
	@echo "make lint       ruff on code and notebooks; notebooks must be stored without outputs"
	@echo "make site       build the offline site (every lesson run, with outputs and plots) into site/; LANG=.. COURSES=.."
	@echo "make workshop   COURSES=\"01 04\" VERTICAL=ecommerce NAME=acme: a workshop pack in workshops/acme/ and acme.zip"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, this is " + sys.version.split()[0]'
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's python3-venv (Python's venv module is missing)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
	  else echo "Python's venv module is missing: on Debian run 'sudo apt-get install python3-venv'"; exit 1; fi; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

install: $(STAMP)

data: $(STAMP)
	$(BIN)/python -m helpers.synth ensure --out datasets

# regenerate the committed datasets from scratch (after changing the simulator on purpose)
data-rebuild: $(STAMP)
	$(BIN)/python -m helpers.synth build --out datasets

release: data
	$(BIN)/python -m grading release
	MMA_WORKSPACE=$(abspath $(WORKSPACE)) $(BIN)/python -m helpers.workspace build

lab: release
	@$(if $(filter command line,$(origin LANG)),MMA_SETTINGS=$(abspath $(WORKSPACE))/.mma/settings.json \
	  JUPYTERLAB_SETTINGS_DIR=$(abspath $(WORKSPACE))/.mma/lab-settings \
	  $(BIN)/python -m helpers.messages set-language $(LANG))
	@echo "Opening the portal at http://$(HOST):$(PORT)/mma (press Ctrl-C twice to stop)"
	cd $(WORKSPACE) && MMA_PROGRESS=$(abspath $(WORKSPACE))/.mma/progress.sqlite3 \
	  MMA_SETTINGS=$(abspath $(WORKSPACE))/.mma/settings.json \
	  JUPYTERLAB_SETTINGS_DIR=$(abspath $(WORKSPACE))/.mma/lab-settings \
	  ../$(BIN)/jupyter lab --ip=$(HOST) --port=$(PORT) $(ROOT_FLAG) \
	  --ServerApp.root_dir=. --ServerApp.jpserver_extensions='{"helpers.portal": True}' \
	  --LabApp.default_url=/mma $(LAB_ARGS)

# .ci/system-deps installs bubblewrap (grading sandbox) and postgresql (gradebook tests) when missing
test: $(STAMP)
	@bash .ci/system-deps
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile $(PYTEST_ARGS)

bench: $(STAMP)
	@mkdir -p bench-results
	$(BIN)/python tests/bench/run.py --out bench-results

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m helpers.nbtools check-clean courses

clean-notebooks: $(STAMP)
	$(BIN)/python -m helpers.nbtools clear courses

autograde: $(STAMP)
	$(BIN)/python -m grading autograde $(GRADING_ARGS)

feedback: $(STAMP)
	$(BIN)/python -m grading feedback $(GRADING_ARGS)

grades: $(STAMP)
	$(BIN)/python -m grading grades $(GRADING_ARGS)

grading-status: $(STAMP)
	$(BIN)/python -m grading status $(GRADING_ARGS)

# ---- offline site and workshop packs (helpers/site.py, helpers/workshop.py)
# LANG=ko picks the language of the generated pages; the shell's own LANG (a locale such as C.UTF-8) is ignored.
LANG_FLAG = $(if $(filter command line,$(origin LANG)),--lang $(LANG))

.PHONY: site workshop
site: data
	$(BIN)/python -m helpers.site build --out site $(LANG_FLAG) $(if $(COURSES),--courses $(COURSES))

workshop: data
	@[ -n "$(COURSES)" ] && [ -n "$(VERTICAL)" ] && [ -n "$(NAME)" ] || { \
	  echo 'usage: make workshop COURSES="01 04" VERTICAL=ecommerce NAME=acme [START=10:00] [USERS=2000] [SEED=7] [LANG=en] [FORCE=1]'; exit 2; }
	$(BIN)/python -m helpers.workshop build --courses $(COURSES) --vertical $(VERTICAL) --name $(NAME) --out workshops \
	  $(LANG_FLAG) $(if $(START),--start $(START)) $(if $(USERS),--users $(USERS)) $(if $(SEED),--seed $(SEED)) $(if $(FORCE),--force)

clean:
	rm -rf .pytest_cache .ruff_cache bench-results test-artifacts
