"""nnbook.validation: every validator accepts what it should, converts it, and refuses the
rest with the exact one-line message that names the argument and says what to change."""

import numpy as np
import pytest

from nnbook import validation as v


def refuses(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert str(raised.value) == message
    assert "\n" not in message


# --- numbers -----------------------------------------------------------------------------

def test_as_int_accepts_python_and_numpy_ints():
    assert v.as_int(3, "n") == 3 and type(v.as_int(np.int64(3), "n")) is int
    assert v.as_int(0, "n", minimum=0) == 0 and v.as_int(5, "n", maximum=5) == 5
    assert v.as_int(-7, "offset") == -7


@pytest.mark.parametrize("value, minimum, maximum, error, message", [
    (True, None, None, TypeError, "n must be an int, got True"),
    (np.bool_(False), 0, None, TypeError, "n must be an int ≥ 0, got False"),
    (3.0, 1, None, TypeError, "n must be an int ≥ 1, got 3.0"),
    ("3", 1, None, TypeError, "n must be an int ≥ 1, got '3'"),
    (None, 1, None, TypeError, "n must be an int ≥ 1, got None"),
    ([3], 1, None, TypeError, "n must be an int ≥ 1, got a list"),
    (0, 1, None, ValueError, "n must be an int ≥ 1, got 0"),
    (11, None, 10, ValueError, "n must be an int ≤ 10, got 11"),
    (np.int64(11), 1, 10, ValueError, "n must be an int from 1 to 10, got 11"),
])
def test_as_int_refuses(value, minimum, maximum, error, message):
    refuses(lambda: v.as_int(value, "n", minimum, maximum), error, message)


@pytest.mark.parametrize("fn, good, bad, wanted", [
    (v.as_float, [-2, 0, 1.5, np.float32(0.25)], [(np.nan, "nan"), (-np.inf, "-inf")],
     "a finite number"),
    (v.as_positive, [1, 1e-9, np.float64(3.0)],
     [(0, "0"), (-1.5, "-1.5"), (np.inf, "inf"), (np.float32(np.nan), "nan")], "a finite number > 0"),
    (v.as_nonnegative, [0, 2, 0.5], [(-0.1, "-0.1"), (np.inf, "inf"), (np.nan, "nan")],
     "a finite number ≥ 0"),
    (v.as_fraction, [0.5, 1e-3, 0.999], [(0, "0"), (1, "1"), (-0.5, "-0.5"), (1.5, "1.5"), (np.nan, "nan")],
     "a number between 0 and 1 (exclusive)"),
])
def test_real_numbers(fn, good, bad, wanted):
    for value in good:
        assert fn(value, "x") == float(value) and type(fn(value, "x")) is float
    for value, shown in bad:
        refuses(lambda: fn(value, "x"), ValueError, f"x must be {wanted}, got {shown}")
    for value, shown in [(True, "True"), ("0.5", "'0.5'"), (None, "None"), ([0.5], "a list"),
                         (np.ones(2), "an array of shape (2,)")]:
        refuses(lambda: fn(value, "x"), TypeError, f"x must be {wanted}, got {shown}")


def test_as_seed():
    assert v.as_seed(0) == 0 and v.as_seed(np.uint32(2**32 - 1)) == 2**32 - 1
    wanted = "seed must be an int from 0 to 2**32 - 1, got"
    refuses(lambda: v.as_seed(-1), ValueError, f"{wanted} -1")
    refuses(lambda: v.as_seed(2**32), ValueError, f"{wanted} 4294967296")
    refuses(lambda: v.as_seed(2**70), ValueError, f"{wanted} {2**70}")
    refuses(lambda: v.as_seed(1.0), TypeError, f"{wanted} 1.0")
    refuses(lambda: v.as_seed(None), TypeError, f"{wanted} None")
    refuses(lambda: v.as_seed(False), TypeError, f"{wanted} False")
    refuses(lambda: v.as_seed(-5, "data_seed"), ValueError,
            "data_seed must be an int from 0 to 2**32 - 1, got -5")


# --- choices, functions, instances, sizes --------------------------------------------------

def test_as_choice():
    assert v.as_choice("tanh", "activation", ("relu", "tanh")) == "tanh"
    assert v.as_choice("XOR", "gate", ("and", "xor"), ignore_case=True) == "xor"
    size = v.as_choice(np.int64(20), "batch_size", (1, 20, 200))
    assert size == 20 and type(size) is int  # the option as the table writes it
    refuses(lambda: v.as_choice("gelu", "activation", ("relu", "tanh")), ValueError,
            "unknown activation 'gelu': choose one of relu, tanh")
    refuses(lambda: v.as_choice("XOR", "gate", ("and", "xor")), ValueError,
            "unknown gate 'XOR': choose one of and, xor")
    refuses(lambda: v.as_choice(True, "batch_size", (1, 20)), ValueError,
            "unknown batch_size True: choose one of 1, 20")
    refuses(lambda: v.as_choice(np.array([1, 20]), "batch_size", (1, 20)), ValueError,
            "unknown batch_size an array of shape (2,): choose one of 1, 20")
    refuses(lambda: v.as_choice(["relu"], "activation", ("relu",)), ValueError,
            "unknown activation a list: choose one of relu")


def test_as_function_and_as_instance():
    assert v.as_function(len, "fn") is len
    refuses(lambda: v.as_function(3, "fn"), TypeError, "fn must be a function, got 3")
    refuses(lambda: v.as_function("f", "grad", "a function of a point"), TypeError,
            "grad must be a function of a point, got 'f'")
    history = {"loss": [1.0]}
    assert v.as_instance(history, "history", dict, "a dict") is history
    refuses(lambda: v.as_instance([1.0], "history", dict, "a dict of lists"), TypeError,
            "history must be a dict of lists, got a list")
    refuses(lambda: v.as_instance(int, "result", dict, "a dict"), TypeError,
            "result must be a dict, got a type")


def test_as_real_takes_any_real_number_even_one_that_overflowed():
    for value in (2, -1.5, np.float32(0.25), np.int64(3), np.inf, -np.inf):
        assert v.as_real(value, "data") == float(value) and type(v.as_real(value, "data")) is float
    assert np.isnan(v.as_real(np.nan, "data"))
    for value, shown in [("2.0", "'2.0'"), (None, "None"), (True, "True"), (1 + 2j, "(1+2j)"),
                         ([1.0], "a list"), (np.ones(2), "an array of shape (2,)")]:
        refuses(lambda: v.as_real(value, "data"), TypeError,
                f"data must be a real number (an int or a float), got {shown}")
    refuses(lambda: v.as_real("3", "the exponent", hint="write 3"), TypeError,
            "the exponent must be a real number (an int or a float), got '3': write 3")


def test_as_having_is_duck_typing():
    class Point:
        x, y = 1.0, 2.0

    point = Point()
    assert v.as_having(point, "p", ("x", "y"), "a point") is point
    refuses(lambda: v.as_having(3.0, "p", ("x", "y"), "a point with x and y"), TypeError,
            "p must be a point with x and y, got 3.0")
    refuses(lambda: v.as_having({"x": 1, "y": 2}, "p", ("x", "y"), "a point"), TypeError,
            "p must be a point, got a dict")


def test_as_sizes():
    assert v.as_sizes([64, np.int64(128), 10]) == [64, 128, 10]
    assert v.as_sizes((3,), "widths", min_length=1) == [3]
    refuses(lambda: v.as_sizes(5), TypeError,
            "sizes must be a list of layer sizes such as [64, 128, 10], got 5")
    refuses(lambda: v.as_sizes("64"), TypeError,
            "sizes must be a list of layer sizes such as [64, 128, 10], got '64'")
    refuses(lambda: v.as_sizes([64]), ValueError, "sizes must hold at least 2 layer sizes, got [64]")
    refuses(lambda: v.as_sizes([64, 0, 10]), ValueError, "sizes[1] must be an int ≥ 1, got 0")
    refuses(lambda: v.as_sizes([64, 10.0]), TypeError, "sizes[1] must be an int ≥ 1, got 10.0")


# --- arrays --------------------------------------------------------------------------------

def test_as_array_converts():
    X = v.as_array([[1, 2], [3, 4]], "X", shape=("n", 2))
    assert X.dtype == float and X.shape == (2, 2)
    X32 = np.ones((3, 2), dtype=np.float32)
    assert v.as_array(X32, "X", dtype=np.float32) is X32  # no copy when nothing changes
    assert v.as_array([1, 2], "y", dtype=None).dtype.kind == "i"
    assert v.as_array(3.5, "x").shape == ()
    assert v.as_array([np.inf, 1.0], "loss", finite=False)[0] == np.inf
    assert v.as_array(np.ones((2, 3, 4)), "T", shape=(2, None, 4)).shape == (2, 3, 4)


@pytest.mark.parametrize("value, kwargs, error, message", [
    (None, {}, TypeError, "X must be an array of numbers, got None"),
    ([[1, 2], [3]], {}, TypeError, "X must be an array of numbers, with rows of equal length, got a list"),
    (["a", "b"], {}, TypeError, "X must be an array of numbers, with rows of equal length, got a list"),
    (np.ones(3), {"ndim": 2}, ValueError, "X must be a 2-D array, got shape (3,)"),
    (np.ones((5, 3)), {"shape": ("n", 2)}, ValueError, "X must have shape (n, 2), got (5, 3)"),
    (np.ones(2), {"shape": ("n", 2)}, ValueError,
     "X must have shape (n, 2), got (2,): for a single sample use X[None, :]"),
    (np.ones(3), {"shape": ("n", 2)}, ValueError, "X must have shape (n, 2), got (3,)"),
    (np.ones(4), {"shape": (5,)}, ValueError, "X must have shape (5,), got (4,)"),
    (np.ones((2, 3)), {"shape": (2, None, 4)}, ValueError, "X must have shape (2, any, 4), got (2, 3)"),
    (np.ones((0, 2)), {}, ValueError, "X is empty, shape (0, 2): it needs at least one value"),
    ([], {}, ValueError, "X is empty, shape (0,): it needs at least one value"),
])
def test_as_array_refuses(value, kwargs, error, message):
    refuses(lambda: v.as_array(value, "X", **kwargs), error, message)


def test_as_array_names_nan_and_infinite_values():
    X = np.zeros((10, 3))
    X[7, 1] = X[8, 0] = X[9, 2] = np.nan
    refuses(lambda: v.as_array(X, "X"), ValueError,
            "X holds 3 NaN values (first at row 7): remove or impute them")
    X[7:, :] = 0
    X[4, 2] = np.inf
    refuses(lambda: v.as_array(X, "X"), ValueError,
            "X holds 1 infinite value (at row 4): remove it or clip to a finite range")
    X[5, 0] = -np.inf
    refuses(lambda: v.as_array(X, "X"), ValueError,
            "X holds 2 infinite values (first at row 4): remove them or clip to a finite range")
    X[6, 0] = np.nan  # NaN is named first: it is the likelier slip (a missing value)
    refuses(lambda: v.as_array(X, "X"), ValueError,
            "X holds 1 NaN value (at row 6): remove or impute it")
    refuses(lambda: v.as_array([1.0, np.nan, np.nan], "y"), ValueError,
            "y holds 2 NaN values (first at index 1): remove or impute them")
    cube = np.zeros((2, 2, 2), dtype=np.float32)
    cube[1, 0, 1] = np.nan
    refuses(lambda: v.as_array(cube, "T", dtype=np.float32), ValueError,
            "T holds 1 NaN value (at index (1, 0, 1)): remove or impute it")
    refuses(lambda: v.as_array(np.nan, "x"), ValueError, "x holds 1 NaN value: remove or impute it")


def test_as_labels():
    y = v.as_labels([0, 2, 1], 3, num_classes=3)
    assert y.dtype == np.int64 and y.tolist() == [0, 2, 1]
    assert v.as_labels(np.array([1.0, 0.0]), 2, 2).dtype == np.int64  # whole-number floats
    assert v.as_labels(np.array([True, False]), 2, 2).tolist() == [1, 0]
    cases = [
        (([0, 1], 3, 2), ValueError, "y must hold one label per sample, shape (3,), got (2,)"),
        (([[0], [1]], 2, 2), ValueError, "y must hold one label per sample, shape (2,), got (2, 1)"),
        (([0, 0.5], 2, 2), TypeError, "y must hold integer labels from 0 to 1, got dtype float64"),
        ((["a", "b"], 2, 2), TypeError, "y must hold integer labels from 0 to 1, got dtype <U1"),
        (([0, 3], 2, 3), ValueError, "y must hold labels from 0 to 2 (3 classes), got values from 0 to 3"),
        (([-1, 1], 2, 3), ValueError, "y must hold labels from 0 to 2 (3 classes), got values from -1 to 1"),
        (([0, np.nan], 2, 2), ValueError, "y holds 1 NaN value (at index 1): remove or impute it"),
        (([], 0, 2), ValueError, "y is empty, shape (0,): it needs at least one value"),
    ]
    for args, error, message in cases:
        refuses(lambda: v.as_labels(*args), error, message)
    refuses(lambda: v.as_labels([5], 1, 2, name="y_val"), ValueError,
            "y_val must hold labels from 0 to 1 (2 classes), got values from 5 to 5")


def test_long_values_stay_on_one_line():
    text = "a\nvery long string " * 10
    with pytest.raises(TypeError) as raised:
        v.as_int(text, "n")
    message = str(raised.value)
    assert "\n" not in message and len(message) < 80 and message.endswith("...")
