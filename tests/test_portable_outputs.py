"""Stored outputs that nbval compares must not depend on the last bits of a float.

numpy's BLAS and PyTorch's CPU kernels choose their code path by the CPU's features, which
changes the order of sums and so the last digits of a result. A stored output that shows a
float to full precision then fails on another reader's machine. The rule: every number in an
output nbval compares (printed text, a ``text/plain`` result, a ``glue`` record) shows at most
four significant digits. Cells tagged ``nbval-ignore-output`` or ``nbval-skip`` are exempt;
for those, a test asserts the result within a tolerance.
"""

import re
import sys

import nbformat
import pytest

from notebooks import CHAPTERS, ROOT, SOLUTIONS, ids, read

sys.path.insert(0, str(ROOT / "tools"))
import portability  # noqa: E402  (its notion of "what nbval compares" is the one used here)

MAX_SIGNIFICANT = 4
# A decimal number: digits, a point, digits, an optional exponent. Integers are exact.
FLOAT = re.compile(r"(?<![\w.])[-+]?(\d+)\.(\d+)(?:[eE][-+]?\d+)?(?![\w.])")


def significant_digits(integer_part, fraction):
    """How many significant digits a decimal written ``integer_part.fraction`` shows."""
    digits = (integer_part + fraction).lstrip("0")
    return len(digits) if digits else 1


def long_floats(notebook):
    """(cell index, number) for each float in a compared output with too many digits."""
    found = []
    for index, cell in enumerate(notebook.cells):
        text = portability.compared_outputs(cell)  # None for a cell nbval does not compare
        for match in FLOAT.finditer(text or ""):
            if significant_digits(match.group(1), match.group(2)) > MAX_SIGNIFICANT:
                found.append((index, match.group(0)))
    return found


@pytest.mark.parametrize("path", CHAPTERS + SOLUTIONS, ids=ids(CHAPTERS + SOLUTIONS))
def test_compared_outputs_show_at_most_four_significant_digits(path):
    found = long_floats(read(path))
    assert not found, (
        f"{len(found)} numbers in outputs that nbval compares show more than {MAX_SIGNIFICANT} "
        f"significant digits, so they differ between CPUs (cell, number): {found[:8]}. Round "
        "them (glue the rounded value), or tag the cell nbval-ignore-output and test the value "
        "within a tolerance.")


@pytest.mark.parametrize("text, expected", [
    ("loss 0.0405", []), ("acc 97.22 %", []), ("0.04045990566668829", ["0.04045990566668829"]),
    ("1.2345e-05", ["1.2345e-05"]), ("1.234e-05", []), ("version 3.11.2", []),
    ("step 100, loss 12.3456", ["12.3456"]), ("0.00011751", ["0.00011751"]), ("(3, 4)", []),
])
def test_the_rule_itself(text, expected):
    notebook = nbformat.v4.new_notebook()
    printed = nbformat.v4.new_code_cell("print(x)")
    printed.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    glued = nbformat.v4.new_code_cell("glue('x', x)")
    glued.outputs = [nbformat.v4.new_output(
        "display_data", data={"application/papermill.record/text/plain": text})]
    ignored = nbformat.v4.new_code_cell("print(x)", metadata={"tags": ["nbval-ignore-output"]})
    ignored.outputs = printed.outputs
    notebook.cells = [printed, glued, ignored]
    assert long_floats(notebook) == [(0, n) for n in expected] + [(1, n) for n in expected]
