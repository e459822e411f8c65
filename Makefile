# The course's commands. Newcomers need two: `make book` and `make test`.
# Each first builds the virtual environment .venv from requirements-instructor.txt (once):
# requirements.txt, what the book needs, and the instructor's grading tools.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Assets the built site serves itself (MathJax), from package.json / package-lock.json.
NODE_STAMP := node_modules/.installed

# Notebook outputs must not depend on the machine's core count or on an interactive session.
export OMP_NUM_THREADS := 2
export MKL_NUM_THREADS := 2
export OPENBLAS_NUM_THREADS := 2
# Idle OpenMP threads sleep instead of spinning: with two notebooks on two cores, spinning
# threads starve the working ones (see tools/execute.py). Scheduling only, never a result.
export OMP_WAIT_POLICY := PASSIVE
export NNBOOK_PROGRESS := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

NOTEBOOKS := $(wildcard chapters/*.ipynb) $(wildcard solutions/*.ipynb)

.PHONY: book test unit lab outputs exercises student handout nbgrader pdf student-pdf tex bench portability venv clean help

help:
	@echo "make book       build the HTML book into _build/html"
	@echo "make test       run the whole test suite (unit tests, notebooks, exercises, book build)"
	@echo "make unit       the fast tests only (no book build, notebooks or browser): about a minute"
	@echo "make lab        open the course in JupyterLab"
	@echo "make outputs    re-execute chapters/ and solutions/ in fresh kernels, then regenerate exercises/"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make student    build the student edition (no solutions) into _build/student/html"
	@echo "make handout    pack exercises/ and the nnbook package into dist/nnbook-exercises.zip"
	@echo "make nbgrader   write an nbgrader course from solutions/ into _build/nbgrader (one assignment a chapter)"
	@echo "make portability  re-run notebooks on other CPU kernel paths, report changed outputs"
	@echo "make bench      time one training step of the numpy MLP against the same network in PyTorch"
	@echo "make pdf        build the whole book as a PDF (installs XeLaTeX from Debian's packages first)"
	@echo "make student-pdf  the student edition as a PDF, _build/student/book-student.pdf"

venv: $(STAMP)

$(STAMP): requirements.txt requirements-instructor.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# setuptools warns on every editable install of a package beside its sources: expected here
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -r requirements-instructor.txt
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# The build's progress and its warnings, without the parsers' configuration dumps.
book: $(STAMP) $(NODE_STAMP)
	@bash -o pipefail -c '$(BIN)/jupyter-book build . -W -n --keep-going \
	    | grep --line-buffered -v -E "ParserConfig\(|^\s*$$|=====|^(Source Folder|Config Path|Output Path):"'
	@echo "Open the book: file://$(CURDIR)/_build/html/index.html"

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile --nbval \
	    --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600 \
	    -p no:cacheprovider tests chapters solutions

# For authors at work on a chapter: everything but the book build, whole notebooks and browsers.
unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m "not slow and not browser" -p no:cacheprovider tests

lab: $(STAMP)
	$(BIN)/jupyter lab

outputs: $(STAMP)
	$(BIN)/python tools/execute.py $(NOTEBOOKS)
	$(BIN)/python tools/make_exercises.py

exercises: $(STAMP)
	$(BIN)/python tools/make_exercises.py

student: $(STAMP) $(NODE_STAMP)
	$(BIN)/python tools/student_edition.py

bench: $(STAMP)
	$(BIN)/python tools/bench_step.py

# A diagnostic, not part of `make test`: re-executes the notebooks (NB=… to choose) with PyTorch
# and OpenBLAS held to older kernel paths and reports every output nbval compares that changed.
portability: $(STAMP)
	$(BIN)/python tools/portability.py $(NB)

handout: $(STAMP)
	$(BIN)/python tools/pack_exercises.py

# For graded courses: nbgrader's source/ (solution and autograded test cells), its config.
nbgrader: $(STAMP)
	$(BIN)/python tools/nbgrader_course.py --out _build/nbgrader

# The PDF: Sphinx's LaTeX builder with XeLaTeX (the book's ✔ ✘ ★ and sub/superscripts need a
# Unicode engine and fonts), from Debian's packages, installed here when missing. Not part of `make test`.
PDF_PACKAGES := texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
                texlive-plain-generic lmodern latexmk fonts-freefont-otf fonts-dejavu-core poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

tex:
	@if ! command -v xelatex >/dev/null || ! command -v latexmk >/dev/null || ! command -v pdfinfo >/dev/null \
	    || ! fc-list | grep -q FreeSerif || ! fc-list | grep -q "DejaVu Sans Mono"; then \
	    $(SUDO) apt-get update && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(PDF_PACKAGES); \
	fi

# A4 paper (_config.yml). The full book: every chapter, the solutions and the instructor guide.
pdf: $(STAMP) $(NODE_STAMP) tex
	$(BIN)/jupyter-book build . --builder pdflatex
	@echo "The PDF: $(CURDIR)/_build/latex/book.pdf, $$(pdfinfo _build/latex/book.pdf | awk '/^Pages/ {print $$2}') pages"

# The students' PDF: the student edition (no solutions, no instructor guide).
student-pdf: $(STAMP) $(NODE_STAMP) tex
	$(BIN)/python tools/student_edition.py _build/student --pdf
	@echo "$$(pdfinfo _build/student/book-student.pdf | awk '/^Pages/ {print $$2}') pages"

clean:
	rm -rf _build dist
