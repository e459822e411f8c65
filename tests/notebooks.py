"""Helpers shared by the tests: where the notebooks are and how to read them."""

import ast
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
CHECK_CALL = re.compile(r"^\s*check_\w+\(", re.MULTILINE)
EXERCISE_HEADING = re.compile(r"^#{2,3}\s+Exercise\s+(\d+)\b(.*)$", re.MULTILINE)


def read(path):
    return nbformat.read(path, as_version=4)


def ids(paths):
    return [p.relative_to(ROOT).as_posix() for p in paths]


def stdout_lines(cell):
    """The lines a code cell printed (stream outputs on stdout)."""
    text = "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.output_type == "stream" and o.name == "stdout")
    return text.splitlines()


def check_cells(notebook):
    """Code cells that call an exercise check (a function named check_…)."""
    return [c for c in notebook.cells if c.cell_type == "code" and CHECK_CALL.search(c.source)]


def glued(notebook):
    """name → value of every glue record stored in a notebook."""
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                text = output.data["application/papermill.record/text/plain"]
                values[name] = ast.literal_eval(text)
    return values


def rerun(notebook, path):
    """Run a notebook's code cells again, in order, in one namespace, printing nothing.

    Returns ``(namespace, values)``: the variables the cells left, and name → value of every
    ``glue`` call, as the cells computed them this time (a results test compares them with
    the stored records). Figures are closed.
    """
    import contextlib
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace, values = {}, {}

    def glue(name, value, display=True):
        values[name] = value

    with contextlib.redirect_stdout(io.StringIO()):
        for cell in notebook.cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, str(path), "exec"), namespace)  # noqa: S102
                namespace["glue"] = glue   # the chapter's glue records into values
    plt.close("all")
    return namespace, values
