import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnbook import checks, datasets, plotting  # noqa: E402
from nnbook.datasets import make_blobs  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_use_style_sets_palette_and_dpi():
    plotting.use_style()
    assert matplotlib.rcParams["figure.dpi"] == 80
    assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0] == plotting.OKABE_ITO[0]


def test_decision_boundary_draws_data_and_boundary():
    X, y = make_blobs(n=60)
    ax = plotting.plot_decision_boundary(lambda P: (P.sum(axis=1) > 0).astype(float), X, y)
    assert len(ax.collections) >= 3  # filled contours, boundary, two classes of points
    ax2 = plotting.plot_decision_boundary(lambda P: np.full(len(P), 0.9), X, y)  # no boundary inside: still draws
    assert ax2.get_xlabel() == "$x_1$"


@pytest.mark.parametrize("X, y, message", [
    (np.zeros((5, 3)), np.zeros(5), "X must have shape (n, 2), got (5, 3)"),
    (np.zeros((5, 2)), np.zeros(4), "y must have shape (5,), got (4,)"),
    (np.zeros((0, 2)), np.zeros(0), "X is empty, shape (0, 2): it needs at least one value"),
    ([[0, 1], [np.nan, 2]], [0, 1], "X holds 1 NaN value (at row 1): remove or impute it"),
])
def test_bad_points(X, y, message):
    with pytest.raises(ValueError) as raised:
        plotting.plot_points(X, y)
    assert str(raised.value) == message


def test_decision_boundary_bad_predict():
    X, y = make_blobs(n=20)
    with pytest.raises(TypeError, match=r"^predict must be a function from \(m, 2\) points to \(m,\) scores, got 'not a function'$"):
        plotting.plot_decision_boundary("not a function", X, y)
    with pytest.raises(ValueError, match="one score per point"):
        plotting.plot_decision_boundary(lambda P: np.zeros(3), X, y)
    with pytest.raises(ValueError, match="^resolution must be an int ≥ 2, got 1$"):
        datasets.grid_over(X, resolution=1)


def test_training_curve():
    ax = plotting.plot_training_curve({"train loss": [1.0, 0.5, 0.2], "test loss": [1.1, 0.7, 0.4]}, logy=True)
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"
    with pytest.raises(TypeError, match=r"^history must be a dict such as \{'train loss': \[...\]\}, got a list$"):
        plotting.plot_training_curve([1, 2])
    with pytest.raises(ValueError, match=r"^history is empty: give at least one series"):
        plotting.plot_training_curve({})
    with pytest.raises(ValueError, match=r"^history\['loss'\] is empty, shape \(0,\): it needs at least one value$"):
        plotting.plot_training_curve({"loss": []})


def test_decision_boundary_has_a_class_legend_clear_of_its_boundary():
    X, y = make_blobs(n=60)
    ax = plotting.plot_decision_boundary(lambda P: (P.sum(axis=1) > 0).astype(float), X, y)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    assert ax.lines, "the boundary is drawn as lines, which the legend's placement avoids"
    no_legend = plotting.plot_decision_boundary(lambda P: np.full(len(P), 0.9), X, y, legend=False)
    assert no_legend.get_legend() is None and not no_legend.lines  # and no boundary inside


def test_two_scatters_of_one_class_show_once_in_the_legend():
    X, y = make_blobs(n=20)
    ax = plotting.plot_points(X, y)
    plotting.plot_points(X + 5, y, ax)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]


def test_level_line():
    xx, yy, _ = datasets.grid_over(np.array([[-1.0, -1.0], [1.0, 1.0]]), resolution=20)
    lines = plotting.plot_level_line(plt.subplots()[1], xx, yy, xx + yy, 0.0)
    assert len(lines) == 1 and np.allclose(lines[0].get_xdata(), -lines[0].get_ydata())
    assert plotting.plot_level_line(plt.subplots()[1], xx, yy, xx + yy, 99.0) == []


def test_training_curve_labels_its_axes_and_keeps_the_legend_off_the_curves():
    ax = plotting.plot_training_curve({"train loss": [1.0, 0.1, 0.01], "test loss": [1.1, 0.2, 0.05]},
                                      logy=True)
    assert ax.get_ylabel() == "loss"
    assert ax.get_legend().get_bbox_to_anchor().x0 > ax.bbox.x1 - 1  # beside the axes
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert "0.1" in labels and not any("10^" in t or "e" in t for t in labels), labels
    one = plotting.plot_training_curve({"accuracy": [0.5, 0.9]})
    assert one.get_ylabel() == "accuracy" and one.get_legend() is None
    assert plotting.plot_training_curve({"a": [1], "b loss": [2]}, ylabel="value").get_ylabel() == "value"


def test_tick_labels_are_plain_numbers():
    plotting.use_style()
    fig, ax = plt.subplots()
    ax.plot([1000.0, 1000.5], [0.0, 1.0])
    fig.canvas.draw()
    assert ax.xaxis.get_major_formatter().get_offset() == ""


@checks.check
def _check_square(fn):
    checks.close(fn(np.array([2.0, -3.0])), [4.0, 9.0], "square([2, -3])")
    return "square is right"


def test_check_prints_one_line_and_never_raises(capsys):
    assert _check_square(lambda x: x ** 2) is None
    assert capsys.readouterr().out == "✔ square is right\n"
    _check_square(lambda x: 2 * x)
    assert capsys.readouterr().out == (
        "✘ square([2, -3]) should be [4., 9.], got [ 4., -6.]; first difference at [1]: "
        "expected 9, got -6\n")
    _check_square(lambda x: x[5])
    assert capsys.readouterr().out.startswith("✘ your code raised IndexError: index 5 is out")
    _check_square(...)
    assert capsys.readouterr().out == "✘ not done yet\n"

    def stub(x):
        raise NotImplementedError("Exercise 1: complete square()")
    _check_square(stub)
    assert capsys.readouterr().out == "✘ not done yet (Exercise 1: complete square())\n"
    _check_square(lambda x: np.array([4.0, 9.0, 1.0]))
    assert "should have shape (2,)" in capsys.readouterr().out
    _check_square(lambda x: "four")
    assert capsys.readouterr().out == "✘ square([2, -3]) should be numbers, got a str 'four'\n"

    def forgot_return(x):
        x ** 2
    _check_square(forgot_return)
    assert capsys.readouterr().out == (
        "✘ square([2, -3]) is None: does your function end with `return …`?\n")


def test_check_silences_the_readers_warnings(capsys):
    _check_square(lambda x: np.exp(np.array([1000.0, 1.0])))
    out = capsys.readouterr()
    assert out.out.startswith("✘") and out.err == ""


def test_choice_and_placeholders():
    assert checks.outcome(lambda a: checks.choice(a, "B", {"A": "a", "B": "b"}) or "ok", "b") == "✔ ok"
    assert checks.outcome(lambda a: checks.choice(a, "B", {"A": "a", "B": "b"}), "Z").startswith("✘ answer with one")
    assert checks.outcome(lambda a: "ok", [1, ...]) == "✘ not done yet"
    assert checks.outcome(lambda a: "ok", {"w": ...}) == "✘ not done yet"
    assert checks.fmt(0.123456) == "0.1235" and checks.fmt(3) == "3"


def _line(body, *args):
    return checks.outcome(body, *args)


def test_a_wrong_answer_names_a_recognisable_mistake():
    expected = np.arange(1.0, 7.0).reshape(2, 3)

    def compare(answer):
        return checks.outcome(lambda a: checks.close(a, expected, "G"), answer)
    assert compare(-expected).endswith("(the sign is flipped)")
    assert compare(8 * expected).endswith("(every entry is 8 × too large: a sum where a mean is meant?)")
    assert compare(expected / 4).endswith("(every entry is 4 × too small: an extra division?)")
    assert compare(expected.T) == "✘ G should have shape (2, 3), got (3, 2): transposed?"
    square = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert checks.outcome(lambda a: checks.close(a, square, "S"), square.T).endswith(
        "(it is the transpose)")
    assert compare(np.full((2, 3), np.nan)) == "✘ G holds nan or inf: [[nan, nan, nan], [nan, nan, nan]]"


def test_a_big_wrong_matrix_is_one_short_line():
    expected = np.arange(100.0).reshape(10, 10)
    wrong = expected.copy()
    wrong[3, 7] += 1
    line = checks.outcome(lambda a: checks.close(a, expected, "W"), wrong)
    assert "\n" not in line and len(line) < 200, line
    assert line == ("✘ W should be a (10, 10) array [0, 1, 2, …], got a (10, 10) array [0, 1, 2, …]; "
                    "first difference at [3, 7]: expected 37, got 38")


def test_the_checks_own_failure_is_not_blamed_on_the_learner():
    def body(fn):  # a check whose own code stumbles on an answer it did not foresee
        return fn(1)[1]
    line = _line(body, lambda x: 7)
    assert line.startswith(checks.CHECK_FAILED + " (TypeError: 'int' object is not subscriptable)"), line
    assert "your code raised" not in line

    def broken(z):  # the learner's own function raising is the learner's, said so
        return z + "1"
    assert _line(body, broken).startswith("✘ your code raised TypeError: unsupported operand")

    def no_return(z):
        z + 1
    assert _line(body, no_return).startswith("✘ your function returned None where a value")


def test_three_outcomes_have_three_messages():
    def stub(x):
        raise NotImplementedError("Exercise 1: complete square()")
    wrong = _line(_check_square.body, lambda x: x)
    unfinished = _line(_check_square.body, stub)
    def check_bug(fn):
        return {}["missing"]
    own_failure = _line(check_bug, lambda x: x)
    assert wrong.startswith("✘ square") and unfinished.startswith(checks.NOT_DONE)
    assert own_failure.startswith(checks.CHECK_FAILED)


def test_choice_gives_each_wrong_option_its_own_feedback():
    options = {"A": "a line", "B": "a circle", "C": "a parabola"}
    feedback = {"A": "one neuron draws lines, but here there are two", "C": "it is closed"}
    assert checks.outcome(lambda a: checks.choice(a, "B", options, feedback) or "ok", " b ") == "✔ ok"
    assert checks.outcome(lambda a: checks.choice(a, "B", options, feedback), "A") == (
        "✘ A ('a line') is not it: one neuron draws lines, but here there are two")
    assert checks.outcome(lambda a: checks.choice(a, "B", options, feedback), "C") == (
        "✘ C ('a parabola') is not it: it is closed")
    assert checks.outcome(lambda a: checks.choice(a, "B", options, feedback), 2) == (
        "✘ answer with one of the letters A, B, C (a str), got 2")
