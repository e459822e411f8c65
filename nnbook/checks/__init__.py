"""Exercise checks: each prints one line, ``✔ …`` when the answer is right or
``✘ …`` saying what is wrong, and never raises into the notebook.

A chapter's checks live in a module of their own (``nnbook.checks.neuron`` for
Chapter 1, …). Each is a function decorated with :func:`check` whose body raises
:class:`CheckFailed` (through :func:`expect` and :func:`close`) or returns the
success message. An unfinished exercise (a stub raising ``NotImplementedError``,
or an answer left as ``...``) is reported as not done yet.

The checks are formative: they catch common mistakes, and the reference values
they compare with can be read in this package by anyone who looks.
"""

import functools
import warnings

import numpy as np

TICK, CROSS = "✔", "✘"
NOT_DONE = f"{CROSS} not done yet"


class CheckFailed(Exception):
    """Raised inside a check to report what is wrong with an answer."""


class NotDone(Exception):
    """Raised inside a check when an answer is still the exercise's placeholder."""


def check(fn):
    """Decorator turning a check body into a function that prints one ✔/✘ line and returns None."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        print(outcome(fn, *args, **kwargs))

    run.body = fn
    return run


def outcome(fn, *args, **kwargs):
    """Run a check body and return its ✔/✘ line (used by :func:`check` and by the tests)."""
    try:
        for value in (*args, *kwargs.values()):
            require_done(value)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            message = fn(*args, **kwargs)
    except (NotDone, NotImplementedError) as err:
        detail = str(err)
        return f"{NOT_DONE}" + (f" ({detail})" if detail else "")
    except CheckFailed as err:
        return f"{CROSS} {err}"
    except Exception as err:  # the reader's code failed: say how, in one line
        return f"{CROSS} your code raised {type(err).__name__}: {err}"
    return f"{TICK} {message}"


def require_done(value):
    """Raise NotDone when ``value`` is still an exercise placeholder (``...`` or None)."""
    if value is Ellipsis or value is None:
        raise NotDone()
    if isinstance(value, (list, tuple)) and any(v is Ellipsis for v in value):
        raise NotDone()
    if isinstance(value, dict) and any(v is Ellipsis for v in value.values()):
        raise NotDone()


def expect(condition, message):
    """Fail the check with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message)


def fmt(value):
    """A short, readable rendering of a number or array for a check's message."""
    array = np.asarray(value)
    if array.dtype.kind in "fc" or array.dtype.kind in "iub":
        if array.ndim == 0:
            return f"{array.item():.4g}" if array.dtype.kind == "f" else str(array.item())
        return np.array2string(array, precision=3, threshold=8, separator=", ")
    return repr(value)


def close(actual, expected, what, rtol=1e-6, atol=1e-8):
    """Fail unless ``actual`` has ``expected``'s shape and values (to a tolerance).

    what: how to name the quantity in the message, e.g. ``"sigmoid([0, 1])"``.
    """
    try:
        actual_arr = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what} should be numbers, got {type(actual).__name__}") from None
    expected_arr = np.asarray(expected, dtype=float)
    expect(actual_arr.shape == expected_arr.shape,
           f"{what} should have shape {expected_arr.shape}, got {actual_arr.shape}")
    expect(np.allclose(actual_arr, expected_arr, rtol=rtol, atol=atol, equal_nan=False),
           f"{what} should be {fmt(expected_arr)}, got {fmt(actual_arr)}")


def choice(answer, correct, options):
    """Fail unless a multiple-choice ``answer`` (a letter) is ``correct``.

    options: dict letter → text, used to say what a wrong choice means.
    """
    expect(isinstance(answer, str) and answer.strip().upper() in options,
           f"answer with one of the letters {', '.join(options)}, got {answer!r}")
    expect(answer.strip().upper() == correct,
           f"{answer.strip().upper()} ('{options[answer.strip().upper()]}') is not it: try the experiment again")
