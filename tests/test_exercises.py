"""The exercise pipeline: exercises/ is generated from solutions/ and is fresh; the stored
solution notebooks pass every check (nbval proves those outputs are reproduced); no chapter
writes out an exercise's answer. The handed-out exercise notebooks are run top to bottom, every
check saying "not done yet", by tests/test_handout.py, in the students' own environment."""

import re
import sys

import pytest

from notebooks import EXERCISES, ROOT, SOLUTIONS, check_cells, ids, read, stdout_lines, EXERCISE_HEADING

sys.path.insert(0, str(ROOT / "tools"))
import make_exercises  # noqa: E402


def test_there_are_solution_notebooks():
    assert SOLUTIONS, "solutions/ holds no notebook"


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids(SOLUTIONS))
def test_exercise_notebook_is_fresh(path):
    expected = make_exercises.render(make_exercises.generate(read(path)))
    target = make_exercises.exercise_path(path)
    assert target.exists(), f"{target.name} missing: run `make exercises`"
    assert target.read_text(encoding="utf-8") == expected, f"{target.name} is stale: run `make exercises`"


def test_no_orphan_exercise_notebooks():
    orphans = [p.name for p in EXERCISES if not (ROOT / "solutions" / p.name).exists()]
    assert not orphans, f"exercise notebooks without a solution: {orphans}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids(SOLUTIONS))
def test_solution_passes_every_check(path):
    notebook = read(path)
    exercises = EXERCISE_HEADING.findall("\n".join(c.source for c in notebook.cells if c.cell_type == "markdown"))
    cells = check_cells(notebook)
    assert len(exercises) >= 5, f"{path.name}: at least five exercises expected, found {len(exercises)}"
    assert len(cells) >= len(exercises), f"{path.name}: every exercise needs a check cell"
    for cell in cells:
        lines = stdout_lines(cell)
        assert lines and all(line.startswith("✔") for line in lines), \
            f"{path.name}: a check does not pass: {lines or 'no output stored'} in\n{cell.source}"


def test_generator_stubs_function_bodies_and_answers():
    source = "def f(x):\n    y = 1\n    # BEGIN SOLUTION\n    return x + y\n    # END SOLUTION\n" \
             "# BEGIN SOLUTION\nw, b = 1, 2\nanswer = 3\n# END SOLUTION"
    stub = make_exercises.strip_solutions(source, 4, "test")
    assert 'raise NotImplementedError("Exercise 4: complete f()")' in stub
    assert "return x + y" not in stub and "3" not in stub.split("answer")[1]
    assert "w = ...  # your answer" in stub and "b = ..." in stub and "answer = ..." in stub


@pytest.mark.parametrize("source", ["# BEGIN SOLUTION\nx = 1\n",
                                    "x = 1\n# END SOLUTION\n",
                                    "# BEGIN SOLUTION\nprint(1)\n# END SOLUTION\n"])
def test_generator_rejects_broken_markers(source):
    with pytest.raises(make_exercises.GeneratorError):
        make_exercises.strip_solutions(source, 1, "test")


# Lines a solution may share with a chapter: idioms that give nothing of the answer away.
SHARED_IDIOMS = {
    'return100*result["acc"]',  # Chapter 8's accuracy in per cent; Exercise 8 asks for the experiment
}


def _normalised(line):
    return re.sub(r"\s+", "", line.split("#")[0])


def _solution_lines(notebook):
    """The distinctive lines of a notebook's solution regions: some computation (an operator)
    and at least 14 characters once spaces and comments are gone."""
    for cell in notebook.cells:
        inside = False
        for line in cell.source.splitlines() if cell.cell_type == "code" else []:
            if make_exercises.BEGIN in line or make_exercises.END in line:
                inside = make_exercises.BEGIN in line
                continue
            text = _normalised(line)
            if inside and len(text) >= 14 and re.search(r"[-+*/@]", text):
                yield line.strip(), text


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids(SOLUTIONS))
def test_no_chapter_writes_out_an_exercises_answer(path):
    chapters = {_normalised(line): chapter.name
                for chapter in sorted((ROOT / "chapters").glob("*.ipynb"))
                for cell in read(chapter).cells if cell.cell_type == "code"
                for line in cell.source.splitlines()}
    given_away = [f"{line!r} (in {chapters[text]})" for line, text in _solution_lines(read(path))
                  if text in chapters and text not in SHARED_IDIOMS]
    assert not given_away, "an exercise must ask for what the chapter did not write out: " \
                           + "; ".join(given_away)
