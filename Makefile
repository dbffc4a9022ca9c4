# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
INDEX ?= index
SAMPLE_COUNT ?= 2000
SAMPLE_SEED ?= 1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench bench-scale lucene install install-test sample index clean messages compile-messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	# axe-core 4.14 for the browser test's accessibility audit (the Python package bundles an
	# older axe); from the npm registry when npm is there, else the bundled one is used.
	-command -v npm >/dev/null && npm install --silent --no-audit --no-fund \
		--prefix $(VENV)/axe axe-core@4.14 >/dev/null 2>&1
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Demo data: the real seed page (data/sample) plus synthetic pages, labelled as such.
data/generated/.done: | $(VENV)/.installed
	$(BIN)/atlas generate --count $(SAMPLE_COUNT) --seed $(SAMPLE_SEED) --out data/generated
	touch $@

$(INDEX)/CURRENT: | data/generated/.done
	$(BIN)/atlas build data/sample data/generated --index $(INDEX)

sample: data/generated/.done
index: $(INDEX)/CURRENT

run: $(VENV)/.installed $(INDEX)/CURRENT
	$(BIN)/atlas serve --index $(INDEX) --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/pytest

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.run

# 600,000 records: the build's wall time and peak memory (writer and parser processes), the
# mix in-process beside tantivy, one-record updates; the table goes to bench/results and the
# README. The pages (about 3.6 GB) are cached under /tmp/atlas-bench.
bench-scale: $(VENV)/.installed-test
	$(BIN)/python -m bench.scale --readme

# The French tables through our engine and through Lucene's FrenchAnalyzer (needs a JDK, and
# Maven or Debian's liblucene8-java; not part of `make test`).
lucene: $(VENV)/.installed-test
	$(BIN)/python -m bench.lucene_compare

clean:
	rm -rf data/generated $(INDEX)/CURRENT $(INDEX)/versions

# Interface catalogs (README « Interface languages »): French msgids extracted from the templates
# and search_app/web, merged into each language's .po (then translate the empty entries).
LOCALE = search_app/web/locale
messages: $(VENV)/.installed-test
	$(BIN)/pybabel extract -F babel.cfg -k plural_in:2,3 --no-location --sort-output \
		-o $(LOCALE)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -w 100 \
		--no-fuzzy-matching --ignore-obsolete

# Optional in a checkout (the app compiles a .po it finds without its .mo); `pip install .` does it.
compile-messages: $(VENV)/.installed-test
	$(BIN)/pybabel compile -d $(LOCALE) --statistics
