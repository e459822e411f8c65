# The course's commands. Newcomers need two: `make book` and `make test`.
# Each first builds the virtual environment .venv from requirements.txt (once).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Notebook outputs must not depend on the machine's core count or on an interactive session.
export OMP_NUM_THREADS := 2
export MKL_NUM_THREADS := 2
export OPENBLAS_NUM_THREADS := 2
export NNBOOK_PROGRESS := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

NOTEBOOKS := $(wildcard chapters/*.ipynb) $(wildcard solutions/*.ipynb)

.PHONY: book test lab outputs exercises venv clean help

help:
	@echo "make book       build the HTML book into _build/html"
	@echo "make test       run the whole test suite (unit tests, notebooks, exercises, book build)"
	@echo "make lab        open the course in JupyterLab"
	@echo "make outputs    re-execute chapters/ and solutions/ in fresh kernels, then regenerate exercises/"
	@echo "make exercises  regenerate exercises/ from solutions/"

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "Open the book: file://$(CURDIR)/_build/html/index.html"

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile --nbval \
	    --nbval-sanitize-with tests/nbval_sanitize.cfg \
	    -p no:cacheprovider tests chapters solutions

lab: $(STAMP)
	$(BIN)/jupyter lab

outputs: $(STAMP)
	$(BIN)/python tools/execute.py $(NOTEBOOKS)
	$(BIN)/python tools/make_exercises.py

exercises: $(STAMP)
	$(BIN)/python tools/make_exercises.py

clean:
	rm -rf _build
