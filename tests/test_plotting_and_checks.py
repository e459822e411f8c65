import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnbook import checks, plotting  # noqa: E402
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


@pytest.mark.parametrize("X, y, match", [
    (np.zeros((5, 3)), np.zeros(5), r"shape \(n, 2\)"),
    (np.zeros((5, 2)), np.zeros(4), r"y must have shape \(5,\)"),
    (np.zeros((0, 2)), np.zeros(0), "n ≥ 1"),
])
def test_bad_points(X, y, match):
    with pytest.raises(ValueError, match=match):
        plotting.plot_points(X, y)


def test_decision_boundary_bad_predict():
    X, y = make_blobs(n=20)
    with pytest.raises(TypeError, match="predict must be a function"):
        plotting.plot_decision_boundary("not a function", X, y)
    with pytest.raises(ValueError, match="one score per point"):
        plotting.plot_decision_boundary(lambda P: np.zeros(3), X, y)
    with pytest.raises(ValueError, match="resolution"):
        plotting.grid_over(X, resolution=1)


def test_training_curve():
    ax = plotting.plot_training_curve({"train loss": [1.0, 0.5, 0.2], "test loss": [1.1, 0.7, 0.4]}, logy=True)
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"
    with pytest.raises(TypeError, match="non-empty dict"):
        plotting.plot_training_curve([1, 2])
    with pytest.raises(ValueError, match="non-empty list"):
        plotting.plot_training_curve({"loss": []})


@checks.check
def _check_square(fn):
    checks.close(fn(np.array([2.0, -3.0])), [4.0, 9.0], "square([2, -3])")
    return "square is right"


def test_check_prints_one_line_and_never_raises(capsys):
    assert _check_square(lambda x: x ** 2) is None
    assert capsys.readouterr().out == "✔ square is right\n"
    _check_square(lambda x: 2 * x)
    assert capsys.readouterr().out.startswith("✘ square([2, -3]) should be [4., 9.], got [ 4., -6.]")
    _check_square(lambda x: x[5])
    assert capsys.readouterr().out.startswith("✘ your code raised IndexError")
    _check_square(...)
    assert capsys.readouterr().out == "✘ not done yet\n"

    def stub(x):
        raise NotImplementedError("Exercise 1: complete square()")
    _check_square(stub)
    assert capsys.readouterr().out == "✘ not done yet (Exercise 1: complete square())\n"
    _check_square(lambda x: np.array([4.0, 9.0, 1.0]))
    assert "should have shape (2,)" in capsys.readouterr().out
    _check_square(lambda x: "four")
    assert "should be numbers" in capsys.readouterr().out


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
