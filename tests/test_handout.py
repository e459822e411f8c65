"""The hand-out (`make handout`) as a student gets it: a complete kit that stands alone.

The archive holds the chapters, the exercises, the package, the students' requirements and a
README; every relative link in it resolves inside it; the students' requirements pin what the
book is tested with and nothing of the book-building or test tools. The slow test does what
a student does: unpacks the archive, runs the README's set-up commands (a fresh virtual
environment, its own requirements), then, in that environment, imports every module that any
chapter, exercise or the package imports (the whole closure: a chapter that needs a package
the students' requirements lack fails here), runs the first chapter and every exercise
notebook top to bottom; an untouched exercise notebook says "not done yet" at each check and
shows nothing stray (an unanswered `...` printed as Ellipsis). This is the suite's only run of
the exercise notebooks; the chapters themselves run under nbval, in the book's environment,
whose pins the students' requirements match (the first test below).
"""

import ast
import os
import posixpath
import re
import signal
import subprocess
import sys
import warnings
import zipfile

import nbformat
import pytest

from notebooks import CHAPTERS, EXERCISES, ROOT, check_cells, stdout_lines

sys.path.insert(0, str(ROOT / "tools"))
import execute  # noqa: E402
import pack_exercises  # noqa: E402

LINK = re.compile(r"\]\(([^)\s]+)\)")
NOT_FOR_STUDENTS = ("jupyter-book", "sphinx", "pytest", "nbval", "playwright")


def _pins(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("#")[0].strip().split("==") for line in lines
                if "==" in line.split("#")[0])


def test_student_requirements_pin_what_the_book_is_tested_with():
    student, book = _pins(ROOT / "requirements-student.txt"), _pins(ROOT / "requirements.txt")
    assert {name: book.get(name) for name in student} == student
    assert not [name for name in student if name.startswith(NOT_FOR_STUDENTS)]
    for needed in ("torch", "numpy", "matplotlib", "scikit-learn", "mnist1d", "tqdm", "myst-nb",
                   "jupyterlab", "ipywidgets"):
        assert needed in student, f"the notebooks import {needed}"


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("handout")
    with zipfile.ZipFile(pack_exercises.pack(folder / "handout.zip")) as bundle:
        names = bundle.namelist()
        bundle.extractall(folder)
    return folder / pack_exercises.FOLDER, names


def test_the_kit_holds_chapters_exercises_and_no_solution(unpacked):
    top, names = unpacked
    for path in CHAPTERS + EXERCISES:
        assert f"{pack_exercises.FOLDER}/{path.parent.name}/{path.name}" in names
    assert not [n for n in names if "/solutions/" in n]
    assert (top / "requirements.txt").read_text(encoding="utf-8") == \
        (ROOT / "requirements-student.txt").read_text(encoding="utf-8")
    for command in pack_exercises.SETUP_COMMANDS:
        assert command in pack_exercises.README


def test_every_relative_link_in_the_kit_resolves(unpacked):
    top, names = unpacked
    dangling = []
    for name in names:
        if not name.endswith((".ipynb", ".md")):
            continue
        text = (top.parent / name).read_text(encoding="utf-8")
        if name.endswith(".ipynb"):
            text = "\n".join(c.source for c in nbformat.reads(text, 4).cells
                             if c.cell_type == "markdown")
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            path = posixpath.normpath(posixpath.join(posixpath.dirname(name),
                                                     target.split("#")[0]))
            if path not in names:
                dangling.append(f"{name}: {target}")
    assert not dangling, "links to files the hand-out does not hold:\n" + "\n".join(dangling)


def _run(command, cwd, env, timeout, attempts=1):
    """Run a shell command in its own process group; past ``timeout`` seconds the whole
    group is killed (a kernel's executor left behind would hold the output pipe open, and
    waiting for it would hang the suite), and the command is tried again, ``attempts`` times
    in all: a notebook's kernel now and then loses a message and waits for ever."""
    for attempt in range(1, attempts + 1):
        process = subprocess.Popen(command, cwd=cwd, env=env, shell=True, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            if attempt < attempts:
                warnings.warn(f"{command} hung for {timeout} s and was run again")
                continue
            pytest.fail(f"{command} did not finish in {timeout} s, {attempts} times")
        assert process.returncode == 0, f"{command}:\n{output[-3000:]}"
        return


def test_a_hung_command_is_killed_with_its_children_and_tried_again(tmp_path):
    import time
    env = dict(os.environ)
    start = time.monotonic()
    with pytest.warns(UserWarning, match="run again"):     # hangs once, then finishes
        _run("test -f tried || { touch tried; sleep 60 & sleep 60; }", tmp_path, env,
             timeout=1, attempts=2)
    with pytest.warns(UserWarning), pytest.raises(pytest.fail.Exception, match="2 times"):
        _run("sleep 60 & sleep 60", tmp_path, env, timeout=1, attempts=2)
    assert time.monotonic() - start < 20, "a child left running kept the pipe open"


def imported_modules(paths):
    """Top-level names of every module imported anywhere (nested imports included) in these
    notebooks' code cells and Python files, and every module of the package itself."""
    names = set()
    for path in paths:
        if path.suffix == ".ipynb":
            sources = [c.source for c in nbformat.read(path, 4).cells if c.cell_type == "code"]
        else:
            sources = [path.read_text(encoding="utf-8")]
        for source in sources:
            source = "\n".join(line for line in source.splitlines()
                               if not line.lstrip().startswith(("%", "!")))
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Import):
                    names.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module)
    return names


def test_the_import_closure_covers_every_package_import():
    names = imported_modules(CHAPTERS + EXERCISES + sorted((ROOT / "nnbook").rglob("*.py")))
    for needed in ("torch", "sklearn.datasets", "mnist1d.data", "ipywidgets", "nnbook.checks"):
        assert needed in names or any(n.startswith(needed) for n in names), needed


def test_a_student_sets_it_up_from_the_readme_and_runs_the_exercises(unpacked):
    top, _ = unpacked
    env = {**os.environ, **execute.ENVIRONMENT}
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep)
                                  if not p.startswith(str(ROOT)))
    for command in pack_exercises.SETUP_COMMANDS:
        _run(command, top, env, timeout=900)
    modules = sorted(imported_modules(sorted(top.glob("chapters/*.ipynb"))
                                      + sorted(top.glob("exercises/*.ipynb"))
                                      + sorted((top / "nnbook").rglob("*.py"))))
    modules += sorted(f"nnbook.{p.relative_to(top / 'nnbook').with_suffix('')}".replace("/", ".")
                      for p in (top / "nnbook").rglob("*.py") if p.name != "__init__.py")
    _run(".venv/bin/python -c 'import importlib, sys; "
         "[importlib.import_module(m) for m in sys.argv[1:]]' " + " ".join(modules),
         top, env, timeout=600)
    notebooks = sorted(top.glob("chapters/*.ipynb"))[:1] + sorted(top.glob("exercises/*.ipynb"))
    for path in notebooks:
        _run(f".venv/bin/jupyter execute --inplace --timeout=240 {path.relative_to(top)}",
             top, env, timeout=300, attempts=2)
    assert len(notebooks) == 1 + len(EXERCISES)
    for path in sorted(top.glob("exercises/*.ipynb")):
        _says_not_done_and_nothing_stray(path)


def _says_not_done_and_nothing_stray(path):
    notebook = nbformat.read(path, 4)
    checks = {id(cell) for cell in check_cells(notebook)}
    assert len(checks) == len(check_cells(nbformat.read(ROOT / "solutions" / path.name, 4))), \
        f"{path.name} lost a check cell"
    for cell in (c for c in notebook.cells if c.cell_type == "code"):
        lines = stdout_lines(cell)
        if id(cell) in checks:
            assert lines and all(line.startswith("✘ not done yet") for line in lines), \
                f"{path.name}: a check on an unfinished exercise printed {lines}"
        stray = [line for line in lines if line in ("Ellipsis", "None")]
        stray += [o.data["text/plain"] for o in cell.outputs if o.output_type == "execute_result"
                  and o.data.get("text/plain") in ("Ellipsis", "None")]
        assert not stray, f"{path.name}: an untouched cell shows {stray} (an unanswered `...`)"
