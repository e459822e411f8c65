"""The nbgrader course's parts that need no nbgrader: the source notebooks written from
solutions/, the graders' assertion on a check (``nnbook.checks.assert_passed``) and the
hidden tests on other inputs (tools/nbgrader_hidden.py). The course itself, generated and
autograded by nbgrader, is tested in test_nbgrader.py."""

import importlib
import math
import sys

import numpy as np
import pytest

from notebooks import EXERCISES, ROOT, SOLUTIONS, ids, read
from nnbook.autograd import Value
from nnbook.checks import assert_passed, check, expect
from nnbook.checks import backprop, learning

sys.path.insert(0, str(ROOT / "tools"))
import nbgrader_course  # noqa: E402
import nbgrader_hidden  # noqa: E402


@check
def check_positive(x):
    expect(x > 0, f"x should be positive, got {x}")
    return "positive"


def test_assert_passed_follows_the_checks_latest_line(capsys):
    with pytest.raises(AssertionError, match="check_positive has not run yet"):
        assert_passed(check_positive)
    check_positive(2)
    assert_passed(check_positive)
    check_positive(-1)
    with pytest.raises(AssertionError, match=r"^✘ x should be positive, got -1$"):
        assert_passed(check_positive)
    check_positive(...)
    with pytest.raises(AssertionError, match="not done yet"):
        assert_passed(check_positive)
    assert capsys.readouterr().out.splitlines() == [
        "✔ positive", "✘ x should be positive, got -1", "✘ not done yet"]


def test_assert_passed_refuses_what_is_not_a_check():
    with pytest.raises(TypeError, match="check_fn should be a check"):
        assert_passed(print)


@pytest.mark.parametrize("heading, points", [
    ("## Exercise 1 · Local derivatives (★☆☆, 10 min)", 1),
    ("## Exercise 3 · A forward pass (★★☆, 10 min)", 2),
    ("## Exercise 7 · Universal approximation by hand (★★★, 20 min)", 3),
    ("## Exercise 2 · No stars given", 1)])
def test_points_are_the_filled_stars(heading, points):
    assert nbgrader_course.stars(heading) == points


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids(SOLUTIONS))
def test_source_notebook_is_the_exercise_notebook_with_nbgrader_cells(path):
    source = nbgrader_course.source_notebook(read(path), path.stem)
    exercise = read(ROOT / "exercises" / path.name)
    assert [c.cell_type for c in source.cells] == [c.cell_type for c in exercise.cells]
    for cell, shown in zip(source.cells, exercise.cells):
        meta = cell.metadata.get("nbgrader")
        if cell.cell_type == "markdown":
            assert meta is None and cell.source == shown.source
        elif meta["solution"]:
            lines = [line.strip() for line in cell.source.splitlines()]
            assert "### BEGIN SOLUTION" in lines and "# BEGIN SOLUTION" not in lines
            assert released(cell.source) == shown.source
        elif meta["grade"]:
            visible, hidden = cell.source.split("\n### BEGIN HIDDEN TESTS\n")
            assert visible == shown.source and meta["points"] in (1, 2, 3)
            name = visible.split("(")[0]
            assert f"assert_passed({name})" in hidden
        else:
            assert meta["locked"] and cell.source == shown.source
    checks = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(checks) == len(nbgrader_course.CHECK_CELL.findall(
        "\n".join(c.source for c in exercise.cells if c.cell_type == "code")))


def released(source):
    """What nbgrader_config.py's ClearSolutionsToStubs makes of a solution cell."""
    out, region = [], None
    for line in source.split("\n"):
        if "BEGIN SOLUTION" in line:
            region = []
        elif "END SOLUTION" in line:
            out, region = out + region, None
        elif region is None:
            out.append(line)
        elif line.lstrip().startswith(nbgrader_course.STUB):
            region.append(line.replace(nbgrader_course.STUB, "", 1))
    return "\n".join(out)


def test_every_chapter_has_an_assignment(tmp_path):
    points = nbgrader_course.write_course(tmp_path)
    assert sorted(points) == [p.stem for p in EXERCISES]
    assert all(total > 0 for total in points.values())
    assert (tmp_path / "nbgrader_config.py").exists()
    assert sorted(p.name for p in (tmp_path / "source").glob("*/*.ipynb")) == sorted(
        p.name for p in EXERCISES)


def test_an_unknown_chapter_is_named(tmp_path):
    with pytest.raises(nbgrader_course.CourseError, match="no solution notebook for 99_x"):
        nbgrader_course.write_course(tmp_path, ["99_x"])
    assert not list(tmp_path.iterdir())


def test_a_check_cell_must_be_one_call():
    with pytest.raises(nbgrader_course.CourseError, match="one call check_"):
        nbgrader_course.check_call("x = 1\ncheck_a(x)", "cell 3")


def test_every_hidden_test_belongs_to_a_check():
    assert nbgrader_hidden.TESTS
    for (module, name), test in nbgrader_hidden.TESTS.items():
        found = importlib.import_module(f"nnbook.checks.{module}")
        assert hasattr(getattr(found, name, None), "body"), f"no check {module}.{name}"


def test_hidden_tests_go_to_their_own_checks_cell():
    source = nbgrader_course.source_notebook(read(ROOT / "solutions" / "04_backprop.ipynb"),
                                             "04_backprop")
    hidden = {c.source.split("(")[0]: c.source for c in source.cells
              if c.metadata.get("nbgrader", {}).get("grade")}
    assert "def hidden_numerical_grad(numerical_grad):" in hidden["check_numerical_grad"]
    assert "hidden_numerical_grad(numerical_grad)" in hidden["check_numerical_grad"]
    assert "def hidden_" not in hidden["check_hand_gradients"]
    digits = nbgrader_course.source_notebook(read(ROOT / "solutions" / "05_digits.ipynb"),
                                             "05_digits")
    assert not any("def hidden_" in c.source for c in digits.cells)  # its own numerical_grad


# The hidden tests pass right answers and stop wrong ones ------------------------------

def pm_right(x, y, w, b, lr=1.0):
    return learning._pm_reference(x, y, w, b, lr)


def pm_strict(x, y, w, b, lr=1.0):  # y (w·x + b) < 0: the boundary is not a mistake
    return (w + lr * y * x, b + lr * y) if y * (np.dot(w, x) + b) < 0 else (w, b)


def mse_right(X, y, w, b):
    return learning._sigmoid_mse_reference(X, y, w, b)


def mse_sum(X, y, w, b):
    return learning._sigmoid_mse_reference(X, y, w, b, mean=False)


def factor_right(X, lr):
    return float(np.max(np.abs(1 - lr * learning._curvatures(X))))


def factor_no_bias(X, lr):
    return float(np.max(np.abs(1 - lr * learning._curvatures(X, bias=False))))


def local_right(op, x, out):
    return backprop.LOCAL_GRADS[op](x)


def local_swapped(op, x, out):
    return 1 - x ** 2 if op == "tanh" else local_right(op, x, out)


def mul_right(a, b):
    return a * b


def mul_set(a, b):  # sets the gradients instead of adding them up
    out = Value(a.data * b.data, (a, b), "*")

    def _backward():
        a.grad = b.data * out.grad
        b.grad = a.data * out.grad

    out._backward = _backward
    return out


def tanh_set(a):  # sets the gradient instead of adding it
    out = Value(math.tanh(a.data), (a,), "tanh")

    def _backward():
        a.grad = (1 - out.data ** 2) * out.grad

    out._backward = _backward
    return out


def numerical_right(f, xs, h=1e-5):
    return [(f(xs[:i] + [x + h] + xs[i + 1:]) - f(xs[:i] + [x - h] + xs[i + 1:])) / (2 * h)
            for i, x in enumerate(xs)]


def numerical_forward(f, xs, h=1e-5):
    return [(f(xs[:i] + [x + h] + xs[i + 1:]) - f(xs)) / h for i, x in enumerate(xs)]


def wrong_one(right, wrong):
    return next(w.__name__ for r, w in zip(right, wrong) if w is not r)


HIDDEN = [  # hidden test, arguments right, the same with one wrong answer
    ("hidden_perceptron_update_pm", (pm_right,), (pm_strict,)),
    ("hidden_sigmoid_mse_gradients", (mse_right,), (mse_sum,)),
    ("hidden_convergence_factor", (factor_right, 19, 10), (factor_no_bias, 19, 10)),
    ("hidden_local_grad", (local_right,), (local_swapped,)),
    ("hidden_backward_rules", (mul_right, Value.tanh), (mul_set, Value.tanh)),
    ("hidden_backward_rules", (mul_right, Value.tanh), (mul_right, tanh_set)),
    ("hidden_path_counts", (backprop._reference_paths,), (backprop._distinct_paths,)),
    ("hidden_numerical_grad", (numerical_right,), (numerical_forward,)),
]


@pytest.mark.parametrize("name, right, wrong", HIDDEN,
                         ids=[f"{name}-{wrong_one(right, wrong)}" for name, right, wrong in HIDDEN])
def test_hidden_test_passes_a_right_answer_and_fails_a_wrong_one(name, right, wrong):
    hidden = getattr(nbgrader_hidden, name)
    hidden(*right)
    with pytest.raises(AssertionError):
        hidden(*wrong)


def test_every_hidden_test_is_tried_here():
    assert {h[0] for h in HIDDEN} == {t.__name__ for t in nbgrader_hidden.TESTS.values()}
