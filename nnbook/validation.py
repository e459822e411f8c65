"""Argument validation for the whole package, in one place and one style.

Each ``as_*`` function checks one argument and returns it converted (an ``int``, a
``float``, a numpy array, …), or raises an error whose one-line message names the argument
and says what to change: ``TypeError`` for the wrong kind of value, ``ValueError`` for a
value out of range. Booleans are not numbers here: ``True`` as a batch size is a slip.

The code a chapter teaches stays bare: a taught function spends at most one line on its
arguments, a call to this module or to a package helper built from it.
"""

import math
import numbers

import numpy as np

# The largest seed that numpy's global generator, scikit-learn and torch all accept.
SEED_MAX = 2**32 - 1


def _show(value):
    """``value`` for a one-line message: a short repr, or its kind for containers."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, numbers.Number, str)):
        text = repr(value).replace("\n", " ")
        return text if len(text) <= 40 else text[:37] + "..."
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    kind = type(value).__name__
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _range(minimum, maximum):
    if minimum is not None and maximum is not None:
        return f" from {minimum} to {maximum}"
    if minimum is not None:
        return f" ≥ {minimum}"
    return f" ≤ {maximum}" if maximum is not None else ""


def _is_number(value):
    if type(value) in (int, float):  # the common case, without the slower checks below
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def as_int(value, name, minimum=None, maximum=None):
    """``value`` as an int from ``minimum`` to ``maximum`` (None: no bound on that side).

    A float such as 3.0 is refused: a count or a size is written as an int.
    """
    wanted = f"{name} must be an int{_range(minimum, maximum)}"
    if type(value) is not int and not (_is_number(value) and isinstance(value, numbers.Integral)):
        raise TypeError(f"{wanted}, got {_show(value)}")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{wanted}, got {int(value)}")
    return int(value)


def _as_real(value, name, wanted, ok):
    """``value`` as a finite float for which ``ok(value)`` holds, else an error saying
    ``wanted``."""
    if not _is_number(value):
        raise TypeError(f"{name} must be {wanted}, got {_show(value)}")
    if not (math.isfinite(value) and ok(value)):
        raise ValueError(f"{name} must be {wanted}, got {_show(value)}")
    return float(value)


def as_float(value, name):
    """``value`` as a finite float (a weight, a bias)."""
    return _as_real(value, name, "a finite number", lambda v: True)


def as_positive(value, name):
    """``value`` as a finite float > 0 (a learning rate, a scale)."""
    return _as_real(value, name, "a finite number > 0", lambda v: v > 0)


def as_nonnegative(value, name):
    """``value`` as a finite float ≥ 0 (a penalty strength, a noise level)."""
    return _as_real(value, name, "a finite number ≥ 0", lambda v: v >= 0)


def as_fraction(value, name):
    """``value`` as a float strictly between 0 and 1 (a share of the data, a ratio)."""
    return _as_real(value, name, "a number between 0 and 1 (exclusive)", lambda v: 0 < v < 1)


def as_real(value, name, hint=None):
    """``value`` as a float: any real number, NaN and ±inf included (a result that
    overflowed is still a number, for the code that reports it). hint: what to write
    instead, added to the message."""
    if not _is_number(value):
        advice = f": {hint}" if hint else ""
        raise TypeError(f"{name} must be a real number (an int or a float), "
                        f"got {_show(value)}{advice}")
    return float(value)


def as_seed(seed, name="seed"):
    """A random seed: an int from 0 to 2**32 − 1, which every generator the book uses
    accepts (numpy's ``default_rng`` and global generator, scikit-learn, torch)."""
    if not _is_number(seed) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be an int from 0 to 2**32 - 1, got {_show(seed)}")
    if not 0 <= seed <= SEED_MAX:
        raise ValueError(f"{name} must be an int from 0 to 2**32 - 1, got {int(seed)}")
    return int(seed)


def _same(value, option):
    if isinstance(value, (bool, np.bool_)) != isinstance(option, bool):
        return False  # True is not the batch size 1
    try:
        return bool(value == option)
    except (TypeError, ValueError):  # an array compared with an option
        return False


def as_choice(value, name, options, ignore_case=False):
    """``value`` if it is one of ``options`` (returned as written there), else a
    ValueError listing them. ``name`` says what is chosen ("activation", "data set")."""
    key = value.lower() if ignore_case and isinstance(value, str) else value
    for option in options:
        if _same(key, option.lower() if ignore_case and isinstance(option, str) else option):
            return option
    choices = ", ".join(str(option) for option in options)
    raise ValueError(f"unknown {name} {_show(value)}: choose one of {choices}")


def as_function(value, name, what="a function"):
    """``value`` if it can be called; ``what`` describes the function wanted."""
    if not callable(value):
        raise TypeError(f"{name} must be {what}, got {_show(value)}")
    return value


def as_instance(value, name, kind, what):
    """``value`` if it is an instance of ``kind``; ``what`` describes it for the reader
    ("the result of compute_neuron(...)")."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be {what}, got {_show(value)}")
    return value


def as_having(value, name, attributes, what):
    """``value`` if it has every one of ``attributes`` (duck typing: an object of a class
    the reader wrote passes too); ``what`` describes it ("a Value")."""
    if not all(hasattr(value, attribute) for attribute in attributes):
        raise TypeError(f"{name} must be {what}, got {_show(value)}")
    return value


def as_sizes(sizes, name="sizes", min_length=2):
    """Layer sizes ``[d_in, h1, ..., d_out]``: a list or tuple of at least ``min_length``
    ints, each ≥ 1 (every layer needs a unit). Returns a list of ints."""
    if not isinstance(sizes, (list, tuple)):
        raise TypeError(f"{name} must be a list of layer sizes such as [64, 128, 10], "
                        f"got {_show(sizes)}")
    if len(sizes) < min_length:
        raise ValueError(f"{name} must hold at least {min_length} layer sizes, got {list(sizes)}")
    return [as_int(size, f"{name}[{i}]", minimum=1) for i, size in enumerate(sizes)]


def _shape_text(shape):
    """(n, 2) for ("n", 2): a str entry is a size of any value, named in the message."""
    inside = ", ".join("any" if size is None else str(size) for size in shape)
    return f"({inside},)" if len(shape) == 1 else f"({inside})"


def _fits(shape, wanted):
    return len(shape) == len(wanted) and all(
        w is None or isinstance(w, str) or got == w for got, w in zip(shape, wanted))


def _where(mask):
    """Where the first True entry of ``mask`` is, in words: " (first at row 7)"."""
    if mask.ndim == 0:
        return ""
    first = tuple(int(i) for i in np.argwhere(mask)[0])
    at = "first at" if mask.sum() > 1 else "at"
    if mask.ndim == 1:
        return f" ({at} index {first[0]})"
    if mask.ndim == 2:
        return f" ({at} row {first[0]})"
    return f" ({at} index {first})"


def _refuse_non_finite(array, name):
    bad = ~np.isfinite(array)
    if not bad.any():
        return
    nan = np.isnan(array)
    mask, what = (nan, "NaN") if nan.any() else (bad, "infinite")
    count = int(mask.sum())
    it = "them" if count > 1 else "it"
    fix = f"remove or impute {it}" if what == "NaN" else f"remove {it} or clip to a finite range"
    plural = "s" if count > 1 else ""
    raise ValueError(f"{name} holds {count} {what} value{plural}{_where(mask)}: {fix}")


def as_array(value, name, ndim=None, shape=None, dtype=float, finite=True):
    """``value`` as a non-empty numpy array of ``dtype`` (None: numpy's choice).

    ndim: the number of axes wanted; shape: the shape wanted, where an int entry must
    match and a str entry ("n") is any size, named in the message; finite: refuse NaN
    and infinite entries, saying how many there are and where the first is.
    """
    if value is None:
        raise TypeError(f"{name} must be an array of numbers, got None")
    try:
        array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, with rows of equal "
                        f"length, got {_show(value)}") from None
    if shape is not None and not _fits(array.shape, shape):
        single = len(shape) == 2 and array.ndim == 1 and len(array) == shape[1]
        hint = f": for a single sample use {name}[None, :]" if single else ""
        raise ValueError(f"{name} must have shape {_shape_text(shape)}, "
                         f"got {array.shape}{hint}")
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty, shape {array.shape}: it needs at least one value")
    if finite and array.dtype.kind in "fc":
        _refuse_non_finite(array, name)
    return array


def as_labels(y, n, num_classes, name="y"):
    """Class labels: an int64 array (n,) with values 0 … num_classes − 1.

    Whole-number floats (1.0) are labels too; NaN, fractions and text are refused.
    """
    labels = as_array(y, name, dtype=None)
    if labels.shape != (n,):
        raise ValueError(f"{name} must hold one label per sample, shape ({n},), "
                         f"got {labels.shape}")
    if labels.dtype.kind == "f" and np.all(np.mod(labels, 1) == 0):
        labels = labels.astype(np.int64)
    top = num_classes - 1
    if labels.dtype.kind not in "iub":
        raise TypeError(f"{name} must hold integer labels from 0 to {top}, "
                        f"got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() > top:
        raise ValueError(f"{name} must hold labels from 0 to {top} ({num_classes} classes), "
                         f"got values from {labels.min()} to {labels.max()}")
    return labels.astype(np.int64, copy=False)
