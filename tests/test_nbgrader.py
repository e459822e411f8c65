"""nbgrader releases and grades one chapter of the course written by tools/nbgrader_course.py.

In a course folder of one assignment (Chapter 4, whose notebooks run in seconds),
``nbgrader generate_assignment`` must release exactly the exercise notebook, and
``nbgrader autograde`` must give the solutions full marks, the untouched exercise notebook
zero, and a notebook with one wrong answer all the points but that exercise's.
nbgrader is an instructor's tool (requirements-instructor.txt, which ``make test``
installs); where it is missing the test is skipped and says so.
"""

import copy
import os
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import pytest

from notebooks import ROOT, read

pytest.importorskip("nbgrader", reason="nbgrader is not installed: it is an instructor's "
                    "tool, `pip install -r requirements-instructor.txt` (make test does)")
sys.path.insert(0, str(ROOT / "tools"))
import nbgrader_course  # noqa: E402

CHAPTER = "04_backprop"
WRONG = ("ex2-answer", 'grads = {"a": 12.0, "b": -18.0}')  # one path of a forgotten: 1 point
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", nbgrader_course.STUB)


def nbgrader(course, *args):
    """Run one nbgrader command in the course folder; return what it printed."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    printed = done.stdout + done.stderr
    assert done.returncode == 0, printed[-3000:]
    assert "Exception while loading config file" not in printed, printed[-3000:]
    return printed


def solved(released, source):
    """The released notebook with every solution cell answered as the solutions do."""
    notebook = copy.deepcopy(released)
    answers = {c.metadata.nbgrader.grade_id: c.source for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = "\n".join(line for line in answers[grade_id].split("\n")
                                    if not line.lstrip().startswith(MARKERS))
    return notebook


def submit(course, student, notebook):
    path = course / "submitted" / student / CHAPTER / f"{CHAPTER}.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(notebook, path)


def scores(course):
    """student → (score, max score, {test cell: score}) from the course's gradebook."""
    from nbgrader.api import Gradebook
    with warnings.catch_warnings(), Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        warnings.simplefilter("ignore")  # SQLAlchemy's notes on nbgrader's sessions
        found = {}
        for submission in gb.assignment_submissions(CHAPTER):
            cells = {g.name: g.score for g in submission.notebooks[0].grades}
            found[submission.student.id] = (submission.score, submission.max_score, cells)
        return found


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The course folder after generate_assignment and autograde of three submissions."""
    course = tmp_path_factory.mktemp("nbgrader")
    nbgrader_course.write_course(course, [CHAPTER])
    nbgrader(course, "generate_assignment", CHAPTER)
    released = read(course / "release" / CHAPTER / f"{CHAPTER}.ipynb")
    answered = solved(released, read(course / "source" / CHAPTER / f"{CHAPTER}.ipynb"))
    one_wrong = copy.deepcopy(answered)
    for cell in one_wrong.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == WRONG[0]:
            cell.source = WRONG[1]
    for student, notebook in [("solved", answered), ("unfinished", released),
                              ("one_wrong", one_wrong)]:
        submit(course, student, notebook)
    nbgrader(course, "autograde", CHAPTER)
    return course


def test_generate_assignment_releases_the_exercise_notebook(course):
    released = read(course / "release" / CHAPTER / f"{CHAPTER}.ipynb")
    exercise = read(ROOT / "exercises" / f"{CHAPTER}.ipynb")
    assert [(c.cell_type, c.source) for c in released.cells] == [
        (c.cell_type, c.source) for c in exercise.cells]
    assert released.metadata == exercise.metadata


def points(course):
    """test cell → its points, as the source notebook gives them."""
    source = read(course / "source" / CHAPTER / f"{CHAPTER}.ipynb")
    return {c.metadata.nbgrader.grade_id: c.metadata.nbgrader.points for c in source.cells
            if c.metadata.get("nbgrader", {}).get("grade")}


def test_the_solutions_get_full_marks(course):
    score, most, cells = scores(course)["solved"]
    assert cells == points(course) and score == most == sum(cells.values()) == 11


def test_an_unfinished_notebook_gets_zero(course):
    score, most, cells = scores(course)["unfinished"]
    assert score == 0 and most == 11, cells


def test_one_wrong_answer_loses_that_exercises_points(course):
    score, most, cells = scores(course)["one_wrong"]
    assert score == most - points(course)["ex2-check"] == 10, cells
    assert [name for name, got in cells.items() if got == 0] == ["ex2-check"]
    graded = read(course / "autograded" / "one_wrong" / CHAPTER / f"{CHAPTER}.ipynb")
    errors = [o for c in graded.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert [(e.ename, e.evalue) for e in errors] == [
        ("AssertionError", "✘ dL/da: a reaches L along two paths (through a·b and "
                           "directly): add both contributions")]
