"""Exercise checks: each prints one line, ``✔ …`` when the answer is right or
``✘ …`` saying what is wrong, and never raises into the notebook.

A chapter's checks live in a module of their own (``nnbook.checks.neuron`` for
Chapter 1, …). Each is a function decorated with :func:`check` whose body raises
:class:`CheckFailed` (through :func:`expect` and :func:`close`) or returns the
success message. Three outcomes are told apart, each in its own words:

- a wrong answer: ``✘ …`` saying what is wrong (and, for numbers, where and by how much);
- an unfinished one (a stub raising ``NotImplementedError``, or an answer left as
  ``...``): ``✘ not done yet``;
- a failure of the check's own code, which is not the learner's fault:
  ``⚠ the check could not …``, asking the learner to look at what their code returns.

An exception raised inside the learner's own code is reported as theirs
(``✘ your code raised …``); one raised inside the check is the check's.

The checks are formative: they catch common mistakes, and the reference values
they compare with can be read in this package by anyone who looks.
"""

import functools
import sys
import sysconfig
import warnings
from pathlib import Path

import numpy as np

TICK, CROSS, WARN = "✔", "✘", "⚠"
NOT_DONE = f"{CROSS} not done yet"
CHECK_FAILED = f"{WARN} the check could not run on your answer"
# Code in these folders is the check's or a library's, never the learner's.
_NOT_LEARNER = tuple(str(Path(p).resolve()) for p in
                     {Path(__file__).parent.parent, *(sysconfig.get_paths()[k] for k in ("stdlib", "purelib", "platlib"))})


class CheckFailed(Exception):
    """Raised inside a check to report what is wrong with an answer."""


class NotDone(Exception):
    """Raised inside a check when an answer is still the exercise's placeholder."""


def check(fn):
    """Decorator turning a check body into a function that prints one ✔/✘ line and returns None."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        run.last = outcome(fn, *args, **kwargs)
        print(run.last)

    run.body = fn
    run.last = None  # the line of the latest run, for assert_passed
    return run


def assert_passed(check_fn):
    """Raise AssertionError unless ``check_fn``'s latest run printed ✔: a grader's test.

    A check never raises, so that the learner reads its line; an autograded test cell
    (tools/nbgrader_course.py) calls the check and then this, and a wrong or unfinished
    answer fails the cell with the check's own line as the message.
    check_fn: a function decorated with :func:`check`.
    """
    if not callable(check_fn) or not hasattr(check_fn, "body"):
        raise TypeError(f"check_fn should be a check (a function decorated with @check), "
                        f"got {check_fn!r}")
    line = check_fn.last
    if line is None:
        raise AssertionError(f"{check_fn.__name__} has not run yet")
    if not line.startswith(TICK):
        raise AssertionError(line)


def outcome(fn, *args, **kwargs):
    """Run a check body and return its one line (used by :func:`check` and by the tests)."""
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
    except Exception as err:  # noqa: BLE001 - a check never raises into the notebook
        return _explain_error(err, fn)
    return f"{TICK} {message}"


def _explain_error(err, body):
    """One line for an unexpected exception: the learner's code's, or the check's own."""
    what = f"{type(err).__name__}: {_one_line(err)}"
    if _raised_in_learner_code(err, body):
        return f"{CROSS} your code raised {what}"
    if isinstance(err, TypeError) and "NoneType" in str(err):
        return (f"{CROSS} your function returned None where a value was expected: "
                "does it end with `return …`?")
    return (f"{CHECK_FAILED} ({what}); look at the type and shape of what your code "
            "returns — if they look right, the check is at fault, not you")


def _raised_in_learner_code(err, body):
    """True when a frame below the check's body lies outside this package and the libraries."""
    tb = err.__traceback__
    while tb is not None and tb.tb_frame.f_code is not getattr(body, "__code__", None):
        tb = tb.tb_next
    tb = tb.tb_next if tb is not None else None  # the frames the check's body called
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not (filename.startswith("<frozen") or
                str(Path(filename).resolve()).startswith(_NOT_LEARNER)):
            return True
        tb = tb.tb_next
    return False


def _one_line(err, width=120):
    text = " ".join(str(err).split())
    return text if len(text) <= width else text[:width - 1] + "…"


def require_done(value):
    """Raise NotDone when ``value`` is still an exercise placeholder (``...`` or None)."""
    if value is Ellipsis or value is None:
        raise NotDone()
    if isinstance(value, (list, tuple)) and any(v is Ellipsis for v in value):
        raise NotDone()
    if isinstance(value, dict) and any(v is Ellipsis for v in value.values()):
        raise NotDone()


def returned(value, call):
    """``value``, or fail with the right words when the learner's ``call`` returned None."""
    if value is None:
        raise CheckFailed(f"{call} returned None: does your function end with `return …`?")
    return value


def numbers(value):
    """A tensor answer as a float numpy array; anything else as it is (close() names it)."""
    torch = sys.modules.get("torch")  # a tensor exists only where torch is already loaded
    if torch is not None and isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy()
    return value


def number_array(value, name):
    """A numeric answer (a list, an array, a tensor) as a float numpy array, or fail
    naming what it is instead."""
    value = numbers(value)
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name} should be numbers, got {type(value).__name__}") from None


def expect(condition, message):
    """Fail the check with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message)


def fmt(value):
    """A short, one-line rendering of a number or array for a check's message."""
    array = np.asarray(value)
    if array.dtype.kind in "fciub":
        if array.ndim == 0:
            return f"{array.item():.4g}" if array.dtype.kind in "fc" else str(array.item())
        if array.size > 8:
            flat = ", ".join(fmt(v) for v in array.ravel()[:3])
            return f"a {array.shape} array [{flat}, …]"
        text = np.array2string(array, precision=3, separator=", ", max_line_width=10_000)
        return " ".join(text.split())
    return repr(value)


def close(actual, expected, what, rtol=1e-6, atol=1e-8):
    """Fail unless ``actual`` has ``expected``'s shape and values (to a tolerance).

    what: how to name the quantity in the message, e.g. ``"sigmoid([0, 1])"``.
    The message is one line: what was expected and got, where the first difference is,
    and a hint when the answer is off by a recognisable factor, the sign or a transpose.
    """
    if actual is None:
        raise CheckFailed(f"{what} is None: does your function end with `return …`?")
    try:
        actual_arr = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what} should be numbers, got {_kind(actual)}") from None
    expected_arr = np.asarray(expected, dtype=float)
    if actual_arr.shape != expected_arr.shape:
        hint = ": transposed?" if actual_arr.shape == expected_arr.shape[::-1] else ""
        raise CheckFailed(f"{what} should have shape {expected_arr.shape}, "
                          f"got {actual_arr.shape}{hint}")
    expect(np.all(np.isfinite(actual_arr)) or not np.all(np.isfinite(expected_arr)),
           f"{what} holds nan or inf: {fmt(actual_arr)}")
    if np.allclose(actual_arr, expected_arr, rtol=rtol, atol=atol, equal_nan=False):
        return
    message = f"{what} should be {fmt(expected_arr)}, got {fmt(actual_arr)}"
    if expected_arr.size > 1:
        bad = ~np.isclose(actual_arr, expected_arr, rtol=rtol, atol=atol)
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        message += (f"; first difference at {list(index)}: expected "
                    f"{fmt(expected_arr[index])}, got {fmt(actual_arr[index])}")
    hint = _hint(actual_arr, expected_arr, rtol, atol)
    raise CheckFailed(message + (f" ({hint})" if hint else ""))


def _kind(value):
    """How to name a non-numeric answer: its type, and what a list holds."""
    if isinstance(value, (list, tuple)) and value:
        inner = sorted({type(v).__name__ for v in value})
        return f"a {type(value).__name__} of {', '.join(inner)}"
    return f"a {type(value).__name__}" + (f" {value!r}" if isinstance(value, str) else "")


def _hint(actual, expected, rtol, atol):
    """Name a recognisable mistake: the sign, a transpose, or one factor everywhere."""
    if np.allclose(actual, -expected, rtol=rtol, atol=atol):
        return "the sign is flipped"
    if actual.ndim == 2 and actual.shape[0] == actual.shape[1] \
            and np.allclose(actual.T, expected, rtol=rtol, atol=atol):
        return "it is the transpose"
    nonzero = np.abs(expected) > atol
    if nonzero.any() and np.all(np.abs(actual[~nonzero]) <= atol):
        ratios = actual[nonzero] / expected[nonzero]
        factor = ratios[0]
        if factor != 0 and np.allclose(ratios, factor, rtol=1e-6):
            return _factor_hint(factor)
    return ""


def _factor_hint(factor):
    sign = "the sign is flipped and " if factor < 0 else ""
    size = abs(factor)
    if size > 1 and np.isclose(size, round(size)):
        return f"{sign}every entry is {round(size)} × too large: a sum where a mean is meant?"
    if size < 1 and np.isclose(1 / size, round(1 / size)):
        return f"{sign}every entry is {round(1 / size)} × too small: an extra division?"
    return f"{sign}every entry is {size:.3g} × the expected value"


def choice(answer, correct, options, feedback=None):
    """Fail unless a multiple-choice ``answer`` (a letter) is ``correct``.

    options: dict letter → text of the option.
    feedback: dict letter → why that (wrong) option is wrong, said to the learner who chose it.
    """
    expect(isinstance(answer, str) and answer.strip().upper() in options,
           f"answer with one of the letters {', '.join(options)} (a str), got {answer!r}")
    letter = answer.strip().upper()
    if letter != correct:
        why = (feedback or {}).get(letter, "")
        raise CheckFailed(f"{letter} ('{options[letter]}') is not it" + (f": {why}" if why else ""))
