"""Helpers shared by the tests of the exercise checks (tests/test_checks_*.py).

Each check's test feeds it answers and reads the one line it prints: ``line`` runs a check's
body as the notebook would and returns that line; ``assert_wrong`` and ``assert_check_failed``
tell a wrong answer's ✘ from the check's own ⚠ failure.
"""

from nnbook.checks import CHECK_FAILED, NOT_DONE, outcome

NONE_RETURNED = "returned None: does your function end with `return …`?"


def line(check, *args):
    return outcome(check.body, *args)


def assert_wrong(got, message):
    """A wrong answer gets ✘ and the expected words, on one line, never the check's fault."""
    assert got.startswith("✘ ") and not got.startswith(NOT_DONE), got
    assert not got.startswith(CHECK_FAILED) and "\n" not in got, got
    assert message in got, got


def assert_check_failed(got):
    """The check's own failure is said to be the check's, not the learner's."""
    assert got.startswith(CHECK_FAILED) and "\n" not in got, got
    assert "your code raised" not in got, got
