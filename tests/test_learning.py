"""Unit tests of nnbook.learning: losses, gradients, gradient descent, the perceptron rule."""

import numpy as np
import pytest

from nnbook.activations import sigmoid
from nnbook.datasets import logic_gate, make_blobs
from nnbook.learning import (cross_entropy_grad, cross_entropy_loss, gradient_descent,
                             learning_regime, logistic_gradients, logistic_loss, minibatches,
                             mse_grad, mse_loss, perceptron_update, predict_proba, quarter_means,
                             run_failed, train_logistic, train_perceptron, validate_data,
                             validate_descent, validate_logistic, validate_pair,
                             validate_perceptron, validate_run)


def numerical_grad(f, x, h=1e-6):
    """Central finite differences of a scalar function f at x (any shape)."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (f(up) - f(down)) / (2 * h)
    return grad


def test_mse_loss_values():
    assert mse_loss([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert mse_loss([1.0, 0.0], [0.0, 0.0]) == pytest.approx(0.5)
    assert mse_loss(np.array([[2.0]]), np.array([[-1.0]])) == pytest.approx(9.0)


def test_cross_entropy_values():
    assert cross_entropy_loss([0.5, 0.5], [0, 1]) == pytest.approx(np.log(2))
    assert cross_entropy_loss([0.9], [1]) == pytest.approx(-np.log(0.9))
    assert cross_entropy_loss([0.9], [0]) == pytest.approx(-np.log(0.1))
    # a certain, wrong prediction costs a large finite amount, not infinity
    assert np.isfinite(cross_entropy_loss([0.0], [1])) and cross_entropy_loss([0.0], [1]) > 20


@pytest.mark.parametrize("loss, grad", [(mse_loss, mse_grad), (cross_entropy_loss, cross_entropy_grad)])
def test_loss_gradients_match_finite_differences(loss, grad):
    y_hat, y = np.array([0.2, 0.7, 0.9, 0.4]), np.array([0.0, 1.0, 0.0, 1.0])
    np.testing.assert_allclose(grad(y_hat, y), numerical_grad(lambda p: loss(p, y), y_hat), rtol=1e-5)


def test_cross_entropy_gradient_with_respect_to_z_is_p_minus_y():
    z, y = np.array([-6.0, -1.0, 0.0, 2.0]), np.array([1.0, 0.0, 1.0, 1.0])
    p = sigmoid(z)
    dz = cross_entropy_grad(p, y) * p * (1 - p)  # the chain rule through the sigmoid
    np.testing.assert_allclose(dz, (p - y) / len(y), rtol=1e-6)


@pytest.mark.parametrize("fn", [mse_loss, mse_grad, cross_entropy_loss, cross_entropy_grad])
def test_losses_reject_mismatched_shapes(fn):
    with pytest.raises(ValueError, match="same shape"):
        fn([0.1, 0.2], [1.0])
    with pytest.raises(ValueError, match="empty"):
        fn([], [])
    with pytest.raises(ValueError, match=r"^y_hat holds 1 NaN value \(at index 1\): remove or impute it$"):
        fn([0.1, np.nan], [1.0, 0.0])


def test_predict_proba_and_logistic_loss():
    X, w, b = np.array([[0.0, 0.0], [1.0, 2.0]]), np.array([0.5, -0.5]), 0.25
    np.testing.assert_allclose(predict_proba(X, w, b), sigmoid(X @ w + b))
    y = np.array([1.0, 0.0])
    p = sigmoid(X @ w + b)
    assert logistic_loss(X, y, w, b) == pytest.approx(cross_entropy_loss(p, y))
    # far beyond where sigmoid rounds to 0 or 1, the loss stays exact and finite
    assert logistic_loss(np.array([[1.0]]), np.array([1.0]), np.array([-1000.0]), 0.0) == pytest.approx(1000.0)


def test_predict_proba_rejects_bad_shapes():
    with pytest.raises(ValueError, match="X must have shape"):
        predict_proba(np.ones(3), np.ones(3), 0.0)
    with pytest.raises(ValueError, match="w must have shape"):
        predict_proba(np.ones((4, 2)), np.ones(3), 0.0)


def test_logistic_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    X, y, w, b = rng.normal(size=(7, 3)), rng.integers(0, 2, 7).astype(float), rng.normal(size=3), 0.3
    grad_w, grad_b = logistic_gradients(X, y, w, b)
    np.testing.assert_allclose(grad_w, numerical_grad(lambda v: logistic_loss(X, y, v, b), w), rtol=1e-5)
    assert grad_b == pytest.approx(numerical_grad(lambda v: logistic_loss(X, y, w, v[0]), [b])[0], rel=1e-5)


@pytest.mark.parametrize("X, y, w, message", [
    (np.ones(3), np.ones(3), np.ones(1), "X must have shape (n, d), got (3,)"),
    (np.ones((3, 2)), np.ones(2), np.ones(2), "y must have shape (3,), got (2,)"),
    (np.ones((3, 2)), np.ones(3), np.ones(3), "w must have shape (2,), got (3,)"),
    (np.ones((0, 2)), np.ones(0), np.ones(2), "X is empty, shape (0, 2): it needs at least one value"),
    ([[1.0, np.inf]], [1.0], np.ones(2),
     "X holds 1 infinite value (at row 0): remove it or clip to a finite range"),
    (np.ones((3, 2)), [0.0, np.nan, np.nan], np.ones(2),
     "y holds 2 NaN values (first at index 1): remove or impute them"),
])
def test_validate_data_says_what_is_wrong(X, y, w, message):
    with pytest.raises(ValueError) as error:
        validate_data(X, y, w)
    assert str(error.value) == message
    with pytest.raises(ValueError) as error:
        logistic_gradients(X, y, w, 0.0)
    assert str(error.value) == message


def test_argument_validators_of_the_taught_functions():
    assert validate_pair([1], [0])[0].dtype == float
    X, y = validate_logistic([[1, 2], [3, 4]], [0, 1], 0.1, 0, None, 0)
    assert X.dtype == y.dtype == float and X.shape == (2, 2)
    assert validate_perceptron([[1, 2]], [1], 1, 1)[0].shape == (1, 2)
    assert validate_descent(lambda p: p, 0.1, 0) is None
    bad = [
        (lambda: validate_descent(3, 0.1, 1), TypeError,
         "grad must be a function from a point (d,) to its gradient (d,), got 3"),
        (lambda: validate_descent(abs, "0.1", 1), TypeError,
         "lr must be a finite number > 0, got '0.1'"),
        (lambda: validate_descent(abs, 0.1, -1), ValueError, "num_steps must be an int ≥ 0, got -1"),
        (lambda: validate_logistic(X, y, 0.1, 1, True, 0), TypeError,
         "batch_size must be an int ≥ 1, got True"),
        (lambda: validate_logistic(X, y, 0.1, 1, None, -1), ValueError,
         "seed must be an int from 0 to 2**32 - 1, got -1"),
        (lambda: validate_perceptron(X, y, 1.0, 0), ValueError,
         "max_epochs must be an int ≥ 1, got 0"),
    ]
    for call, error, message in bad:
        with pytest.raises(error) as raised:
            call()
        assert str(raised.value) == message


def test_gradient_descent_on_a_quadratic():
    # loss = x² + 10 y²: each coordinate shrinks by (1 − lr·curvature) per step
    grad = lambda p: np.array([2 * p[0], 20 * p[1]])
    path = gradient_descent(grad, [1.0, 1.0], lr=0.05, num_steps=3)
    assert path.shape == (4, 2)
    np.testing.assert_allclose(path[:, 0], 0.9 ** np.arange(4))
    np.testing.assert_allclose(path[1:, 1], 0.0, atol=1e-12)
    assert gradient_descent(grad, [1.0, 1.0], lr=0.05, num_steps=0).shape == (1, 2)


def test_gradient_descent_diverges_and_stops_before_overflow():
    path = gradient_descent(lambda p: 2 * p, [1.0], lr=1.5, num_steps=5)  # factor 1 − 3 = −2 per step
    np.testing.assert_allclose(path[:, 0], (-2.0) ** np.arange(6))
    long_path = gradient_descent(lambda p: 2 * p, [1.0], lr=1e200, num_steps=50)
    assert np.all(np.isfinite(long_path)) and len(long_path) < 51


def test_gradient_descent_rejects_bad_arguments():
    with pytest.raises(TypeError, match="grad must be a function"):
        gradient_descent(None, [0.0], 0.1, 1)
    with pytest.raises(ValueError, match="lr"):
        gradient_descent(lambda p: p, [0.0], 0.0, 1)
    with pytest.raises(ValueError, match="num_steps"):
        gradient_descent(lambda p: p, [0.0], 0.1, -1)


def test_minibatches_cover_every_index_once():
    batches = minibatches(10, 3, np.random.default_rng(0))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    assert len(minibatches(5, 10, np.random.default_rng(0))) == 1
    with pytest.raises(ValueError, match="batch_size must be an int ≥ 1"):
        minibatches(10, 0, np.random.default_rng(0))


@pytest.mark.parametrize("batch_size", [None, 1, 20])
def test_train_logistic_lowers_the_loss(batch_size):
    X, y = make_blobs(100, noise=0.5)
    w, b, history = train_logistic(X, y, lr=0.5, num_steps=50, batch_size=batch_size)
    assert len(history["loss"]) == 51
    assert history["loss"][0] == pytest.approx(np.log(2))
    assert history["loss"][-1] < 0.2
    assert np.mean((predict_proba(X, w, b) >= 0.5) == y) > 0.95


def test_train_logistic_is_deterministic_and_batch_size_n_is_batch_descent():
    X, y = make_blobs(40, noise=0.8)
    w1, b1, h1 = train_logistic(X, y, 0.3, 10, batch_size=5, seed=1)
    w2, b2, h2 = train_logistic(X, y, 0.3, 10, batch_size=5, seed=1)
    np.testing.assert_array_equal(w1, w2)
    full = train_logistic(X, y, 0.3, 10)
    same = train_logistic(X, y, 0.3, 10, batch_size=40)
    np.testing.assert_allclose(full[0], same[0])


def test_train_logistic_records_the_path_of_the_weights():
    X, y = make_blobs(30, noise=0.5)
    w, b, history = train_logistic(X, y, 0.3, 7, batch_size=4)
    assert history["path"].shape == (8, 3) and history["loss"].shape == (8,)
    np.testing.assert_array_equal(history["path"][0], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(history["path"][-1], [*w, b])
    # every recorded loss is the loss at the recorded point
    for point, loss in zip(history["path"], history["loss"]):
        assert logistic_loss(X, y, point[:2], point[2]) == pytest.approx(loss)


def test_train_logistic_rejects_bad_arguments():
    X, y = make_blobs(10)
    with pytest.raises(ValueError, match="lr"):
        train_logistic(X, y, -1.0, 10)
    with pytest.raises(TypeError, match="num_steps must be an int ≥ 0, got 2.5"):
        train_logistic(X, y, 0.1, 2.5)
    with pytest.raises(ValueError, match="batch_size"):
        train_logistic(X, y, 0.1, 5, batch_size=0)
    with pytest.raises(ValueError, match="y must have shape"):
        train_logistic(X, y[:5], 0.1, 5)


def test_perceptron_update():
    w, b, updated = perceptron_update(np.array([1.0, 1.0]), 0, np.zeros(2), 0.0)  # step(0) = 1: a mistake
    np.testing.assert_array_equal(w, [-1.0, -1.0])
    assert b == -1.0 and updated
    w2, b2, updated2 = perceptron_update(np.array([1.0, 1.0]), 0, w, b)  # now correct: nothing changes
    np.testing.assert_array_equal(w2, w)
    assert b2 == b and not updated2
    w3, b3, _ = perceptron_update(np.array([2.0, 0.0]), 1, np.array([-1.0, 0.0]), 0.0, lr=0.5)
    np.testing.assert_array_equal(w3, [0.0, 0.0])
    assert b3 == 0.5


@pytest.mark.parametrize("gate", ["and", "or", "nand", "nor"])
def test_perceptron_converges_on_separable_gates(gate):
    X, y = logic_gate(gate)
    result = train_perceptron(X, y)
    assert result["converged"] and result["cycle_length"] is None
    assert result["updates"] == sum(result["updates_per_epoch"]) > 0
    assert result["updates_per_epoch"][-1] == 0
    np.testing.assert_array_equal((X @ result["w"] + result["b"] >= 0).astype(int), y)


def test_perceptron_cycles_on_xor():
    X, y = logic_gate("xor")
    result = train_perceptron(X, y, max_epochs=1000)
    assert not result["converged"] and result["cycle_length"] == 1
    assert result["epochs"] < 10 and all(n > 0 for n in result["updates_per_epoch"])
    assert result["states"].shape == (result["epochs"], 3)


def test_perceptron_stops_at_max_epochs():
    X, y = make_blobs(60, noise=1.5)  # overlapping clouds: no line separates them
    result = train_perceptron(X, y, max_epochs=5)
    assert result["epochs"] == 5 and not result["converged"]
    with pytest.raises(ValueError, match="max_epochs"):
        train_perceptron(X, y, max_epochs=0)
    with pytest.raises(ValueError, match="lr"):
        train_perceptron(X, y, lr=0)


# The regimes of a learning rate (learning_regime), at the boundary of each ---------------
# Runs of m = 9 points: the last quarter and the quarter before are two losses each.
STRAIGHT = np.arange(9.0)                        # every step goes the same way
FALLING = np.linspace(1.0, 0.2, 9)


def test_smooth_run():
    assert learning_regime(STRAIGHT, FALLING) == "smooth"
    # the loss may stay flat, and the path may stop: neither is a turn
    assert learning_regime([0.0, 1.0, 1.0, 1.0], [1.0, 0.5, 0.5, 0.5]) == "smooth"


def test_one_turn_makes_a_zig_zag():
    path = STRAIGHT.copy()
    path[5] = path[4] - 0.5                      # step 5 turns back on step 4
    assert learning_regime(path, FALLING) == "zig-zag"
    # a turn at right angles (the boundary, 90°) is not a turn back
    square = [[0, 0], [1, 0], [1, 1], [2, 1]]
    assert learning_regime(square, [1.0, 0.8, 0.6, 0.4]) == "smooth"


def test_turns_between_rounding_sized_steps_are_not_a_zig_zag():
    # the largest step is 1; steps below a millionth of it are rounding noise
    noise = [0.0, 1.0, 2.0, 2.0 + 5e-7, 2.0]
    assert learning_regime(noise, [1.0, 0.5, 0.4, 0.4, 0.4]) == "smooth"
    small = [0.0, 1.0, 2.0, 2.0 + 2e-6, 2.0]
    assert learning_regime(small, [1.0, 0.5, 0.4, 0.4, 0.4]) == "zig-zag"


def test_unstable_when_the_last_quarter_averages_no_less_than_the_start():
    loss = [1.0, 3.0, 0.2, 2.0, 0.5, 0.9, 1.1, 1.5, 0.5]   # last quarter's mean is exactly 1.0
    assert learning_regime(STRAIGHT, loss) == "unstable"
    loss[-1] = 0.49                                         # just below the start
    assert learning_regime(STRAIGHT, loss) == "smooth"


def test_diverging_when_the_loss_is_still_growing_fast():
    loss = [1.0, 1.0, 1.0, 1.0, 1.0, 1.5, 1.5, 3.0, 3.0]   # exactly twice the quarter before
    assert learning_regime(STRAIGHT, loss) == "unstable"
    loss[-1] = 3.01
    assert learning_regime(STRAIGHT, loss) == "diverging"
    # growing fast but still below the start: not diverging
    falling_then_rising = [10.0, 5.0, 4.0, 3.0, 2.0, 1.0, 1.0, 2.5, 2.5]
    assert learning_regime(STRAIGHT, falling_then_rising) == "smooth"


@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_a_loss_that_is_not_finite_is_diverging(bad):
    assert learning_regime(STRAIGHT, [*FALLING[:-1], bad]) == "diverging"


def test_shortest_run_and_bad_runs():
    assert learning_regime([0.0, 1.0], [1.0, 0.5]) == "smooth"
    assert learning_regime([0.0, 1.0], [1.0, 1.0]) == "unstable"
    with pytest.raises(ValueError, match="path must hold the start and at least one step"):
        learning_regime([0.0], [1.0])
    with pytest.raises(ValueError, match="loss must have shape \\(3,\\)"):
        validate_run([0.0, 1.0, 2.0], [1.0, 0.5])


# The one rule for a run that went wrong (run_failed), and its agreement with the regimes ---

def test_quarter_means():
    assert quarter_means(np.arange(8.0)) == (6.5, 4.5)   # a quarter of 8 is 2 losses
    assert quarter_means([3.0, 1.0]) == (1.0, 3.0)       # at least one loss each
    assert quarter_means(np.arange(7.0)) == (6.0, 5.0)   # a quarter of 7 rounds down to 1


@pytest.mark.parametrize("loss, failed", [
    (FALLING, False),
    ([1.0, 3.0, 0.2, 2.0, 0.5, 0.9, 1.1, 1.5, 0.5], True),    # last quarter averages the start
    ([1.0, 3.0, 0.2, 2.0, 0.5, 0.9, 1.1, 1.5, 0.49], False),  # just below it
    ([1.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 0.5, 0.5], False),   # a swing that came back down
    ([1.0, 0.5, np.inf], True), ([1.0, np.nan, 0.1], True),   # overflowed, even if it fell
    ([1.0, 1.0], True), ([1.0, 0.99], False),
])
def test_run_failed(loss, failed):
    assert run_failed(loss) is failed


@pytest.mark.parametrize("loss", [
    FALLING, [1.0, 3.0, 0.2, 2.0, 0.5, 0.9, 1.1, 1.5, 0.5], [1.0, 1.0, 1.0, 1.0, 1.0, 1.5, 1.5, 3.0, 3.01],
    [10.0, 5.0, 4.0, 3.0, 2.0, 1.0, 1.0, 2.5, 2.5], [*FALLING[:-1], np.inf], [1.0, 1.0]])
def test_a_failed_run_is_unstable_or_diverging_and_no_other(loss):
    regime = learning_regime(STRAIGHT[:len(loss)], loss)
    assert run_failed(loss) == (regime in ("unstable", "diverging"))


@pytest.mark.parametrize("loss, error, message", [
    ([1.0], ValueError, "loss must hold the loss at the start and after at least one step, "
                        "shape (m,) with m ≥ 2, got (1,)"),
    ([[1.0, 0.5]], ValueError, "loss must be a 1-D array, got shape (1, 2)"),
    ("high", TypeError, "loss must be an array of numbers, with rows of equal length, "
                        "got 'high'"),
    (None, TypeError, "loss must be an array of numbers, got None"),
])
def test_run_failed_refuses_what_is_not_a_run(loss, error, message):
    with pytest.raises(error) as raised:
        run_failed(loss)
    assert str(raised.value) == message


@pytest.mark.parametrize("lr, regime", [
    (0.09, "smooth"),      # below 1/λ_max = 0.1: no overshoot
    (0.1, "smooth"),       # the steep direction settled in one step
    (0.11, "zig-zag"),     # past 1/λ_max
    (1 / 5.5, "zig-zag"),  # the fastest, 2/(λ_min + λ_max)
    (0.19, "zig-zag"),     # still below the stability limit 2/λ_max = 0.2
    (0.21, "diverging"),   # past it
])
def test_regimes_on_a_bowl_follow_the_curvatures(lr, regime):
    curvatures = np.array([1.0, 10.0])           # loss = ½ Σ λ θ²
    path = gradient_descent(lambda t: curvatures * t, [1.0, 1.0], lr=lr, num_steps=40)
    loss = 0.5 * np.sum(curvatures * path ** 2, axis=1)
    assert learning_regime(path, loss) == regime


def test_fastest_rate_on_a_bowl_converges_fastest():
    curvatures = np.array([1.0, 10.0])
    final = {}
    for lr in (0.1, 2 / 11, 0.19):
        path = gradient_descent(lambda t: curvatures * t, [1.0, 1.0], lr=lr, num_steps=40)
        final[lr] = np.abs(path[-1]).max()
    assert final[2 / 11] < final[0.1] and final[2 / 11] < final[0.19]


def test_a_bounded_gradient_keeps_a_huge_learning_rate_unstable_not_diverging():
    # the logistic loss's gradient is at most the mean norm of (x, 1), so its loss
    # can only grow linearly with the number of steps, never geometrically
    X, y = make_blobs(100, noise=1.5)
    for batch_size in (None, 1):
        _, _, history = train_logistic(X, y, lr=1000.0, num_steps=200, batch_size=batch_size)
        assert np.all(np.isfinite(history["loss"]))
        assert learning_regime(history["path"], history["loss"]) == "unstable"
