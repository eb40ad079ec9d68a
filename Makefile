# The two commands a newcomer needs: `make serve` and `make test`.
.PHONY: setup serve test test-fast index eval bench docs notebook lock

setup:
	scripts/setup

# Set up, build the index from the committed corpus if it is missing or stale, and serve
# on http://127.0.0.1:8000.
serve:
	scripts/setup --serve
	.venv/bin/casebook index info >/dev/null 2>&1 || .venv/bin/casebook index build
	.venv/bin/casebook serve

test: setup
	.venv/bin/ruff check casebook ingest index service eval tests bench scripts
	.venv/bin/python scripts/typecheck.py
	.venv/bin/pytest

# Parsing, chunking, fusion, crawling: no model, no browser.
test-fast:
	.venv/bin/ruff check casebook ingest index service eval tests bench scripts
	.venv/bin/pytest -m "not slow and not browser"

index:
	.venv/bin/casebook index build

eval:
	.venv/bin/casebook eval

bench:
	.venv/bin/python bench/search_latency.py

# docs/configuration.md is written from the Settings class; tests/test_readme.py checks it.
docs:
	.venv/bin/python -m casebook.settings_doc docs/configuration.md

# Run the evaluation notebook from notebooks/ and commit it with its outputs (needs an index:
# `make index`); no timings are recorded, so an unchanged result leaves an unchanged diff.
notebook:
	cd notebooks && ../.venv/bin/python -c "import nbformat; from nbclient import NotebookClient; \
	nb = nbformat.read('evaluate.ipynb', as_version=4); \
	NotebookClient(nb, timeout=600, kernel_name='python3', record_timing=False).execute(); \
	nbformat.write(nb, 'evaluate.ipynb')"

# constraints.txt, the lock scripts/setup installs from: every distribution of the dev virtualenv.
lock:
	{ sed -n '/^#/p' constraints.txt; .venv/bin/python -m pip freeze --exclude-editable \
	  | grep -v '^casebook'; } > constraints.txt.new && mv constraints.txt.new constraints.txt
