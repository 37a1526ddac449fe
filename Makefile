# Briefer's two commands: `make run` and `make test`. Both create .venv and
# install what they need; `make test` also installs the system packages the
# suite uses (when run as root on Debian/Ubuntu, else it names the command).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

# Fonts for every script (Symbola: outline emoji a PDF can embed), PDF tools for checking exports, LibreOffice for the
# DOCX round trip; python3-venv only where Python lacks ensurepip.
# The window: Enchant with English Hunspell dictionaries for spell checking, and
# the X libraries Qt's xcb platform needs beyond what Debian has by default.
SYSTEM_PACKAGES_RUN  := fonts-dejavu-core fonts-wqy-zenhei fonts-symbola fontconfig \
                        libenchant-2-2 hunspell-en-us hunspell-en-gb \
                        libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libegl1 libxkbcommon-x11-0
# PostgreSQL for the team library's tests: they start a throwaway cluster of
# their own (tests/pg_cluster.py: initdb as the postgres user, a free local port)
# and stop it afterwards; the server the package may start is not used.
SYSTEM_PACKAGES_TEST := $(SYSTEM_PACKAGES_RUN) poppler-utils libreoffice-writer-nogui fonts-noto-core \
                        xvfb xdotool postgresql

.PHONY: run test lint format bench clean system-deps-run system-deps-test

run: system-deps-run $(VENV)/.installed-run
	$(BIN)/briefer

test: system-deps-test $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider
	$(BIN)/ruff check briefer tests bench
	$(BIN)/ruff format --check briefer tests bench

lint: $(VENV)/.installed-test
	$(BIN)/ruff check briefer tests bench
	$(BIN)/ruff format --check briefer tests bench

format: $(VENV)/.installed-test
	$(BIN)/ruff format briefer tests bench
	$(BIN)/ruff check --fix briefer tests bench

bench: $(VENV)/.installed-test
	$(BIN)/python bench/export_bench.py
	$(BIN)/python bench/library_bench.py
	$(BIN)/python bench/gui_bench.py
	$(BIN)/python bench/template_editor_bench.py

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(VENV)/bin/python
	PYTHONWARNINGS=ignore $(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	PYTHONWARNINGS=ignore $(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

system-deps-run:
	@sh .ci/system-deps.sh "$(PYTHON)" $(SYSTEM_PACKAGES_RUN)

system-deps-test:
	@sh .ci/system-deps.sh "$(PYTHON)" $(SYSTEM_PACKAGES_TEST)

clean:
	rm -rf $(VENV) out build dist *.egg-info
