"""Write an nbgrader course folder from solutions/: one assignment per chapter.

For graded courses on JupyterHub (the instructor guide, "Grading at scale with nbgrader").
Each solution notebook solutions/NN_slug.ipynb becomes the assignment NN_slug, whose
source notebook source/NN_slug/NN_slug.ipynb holds the cells of the exercise notebook:

- a cell with solution regions is an nbgrader solution cell; each region is marked
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` and opens with ``### STUB`` lines, the
  lines the exercise notebook shows in its place (tools/make_exercises.py's stub);
- a check cell is an autograded test cell worth the exercise's stars in points
  (★☆☆ 1, ★★☆ 2, ★★★ 3): the check itself stays visible, and hidden tests fail it
  unless the check printed ✔ (``nnbook.checks.assert_passed``) and, for the checks
  tools/nbgrader_hidden.py covers, unless the answer also passes inputs the check does
  not try;
- every other code cell is read-only: nbgrader restores it before grading.

The course's nbgrader_config.py puts each region's STUB lines in its place, so that
``nbgrader generate_assignment NN_slug`` releases exactly exercises/NN_slug.ipynb (with
nbgrader's metadata), and ``nbgrader autograde NN_slug`` scores the submissions.
Only source/, nbgrader_config.py and README.md are written: a gradebook, submissions and
grades already in the folder are left alone.

Usage: python tools/nbgrader_course.py [--out FOLDER] [NN_slug ...]
       (default: every chapter, into _build/nbgrader)
"""

import argparse
import ast
import inspect
import re
import sys
from pathlib import Path

import nbformat

import make_exercises
import nbgrader_hidden
from make_exercises import BEGIN, END

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "nbgrader"
NB_BEGIN, NB_END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
STUB = "### STUB "
CHECK_CELL = re.compile(r"^\s*check_\w+\(", re.MULTILINE)
STARS = re.compile(r"\((★+)☆*")
NBGRADER_WORDS = ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", STUB.strip())

CONFIG = '''"""nbgrader settings of the nnbook course, written by tools/nbgrader_course.py.

`make nbgrader` rewrites this file: keep your own settings (course_id, the exchange)
in ~/.jupyter/nbgrader_config.py or /etc/jupyter/nbgrader_config.py.

Each solution region of the book opens with `### STUB` lines, the lines students get in
its place (the exercise notebooks are made by the same rule), so generate_assignment
releases the exercise notebooks exactly. A region without them gets nbgrader's stub.
"""

import re

from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import ClearSolutions

STUB = "### STUB "


class ClearSolutionsToStubs(ClearSolutions):
    """nbgrader's ClearSolutions, with a region's own STUB lines as its stub."""

    def _replace_solution_region(self, cell, language):
        if cell.cell_type != "code" or STUB not in cell.source:
            return super()._replace_solution_region(cell, language)
        default = self.code_stub[language].split("\\n")
        kept, region, indent = [], None, ""
        for line in cell.source.split("\\n"):
            if self.begin_solution_delimeter in line:
                if region is not None:
                    raise RuntimeError("nested BEGIN SOLUTION: " + cell.source)
                region, indent = [], re.match(r"\\s*", line).group(0)
            elif self.end_solution_delimeter in line and region is not None:
                kept += region or [indent + stub for stub in default]
                region = None
            elif region is None:
                kept.append(line)
            elif line.lstrip().startswith(STUB):
                region.append(line.replace(STUB, "", 1))
        if region is not None:
            raise RuntimeError("BEGIN SOLUTION without END SOLUTION: " + cell.source)
        cell.source = "\\n".join(kept)
        return True


c = get_config()  # noqa: F821 (Jupyter's config loader defines it)
# Some cells train a network: on a slow server one may pass nbgrader's 30 s a cell.
c.Execute.timeout = 300
steps = GenerateAssignment.class_traits()["preprocessors"].default()
c.GenerateAssignment.preprocessors = [
    ClearSolutionsToStubs if step is ClearSolutions else step for step in steps]
'''

README = """# The nnbook course for nbgrader

Written by `make nbgrader` from the book's solution notebooks: one assignment per chapter,
in `source/`. Work in this folder (or point nbgrader's `CourseDirectory.root` at it), in
an environment with nbgrader (the book's `requirements-instructor.txt`) activated:

```bash
nbgrader generate_assignment 04_backprop   # release/04_backprop/: the exercise notebook
nbgrader autograde 04_backprop             # scores submitted/<student>/04_backprop/
```

Each exercise's check cell is an autograded test worth its stars in points (★☆☆ 1,
★★☆ 2, ★★★ 3); hidden tests fail it unless the check prints ✔. The kernel that grades
needs the `nnbook` package, as the students' kernels do.
`make nbgrader` rewrites `source/`, `nbgrader_config.py` and this file only.
"""


class CourseError(ValueError):
    """A solution notebook cannot become an nbgrader assignment; the message says where."""


def stars(heading):
    """Points of an exercise: the filled stars of its heading (★★☆ → 2), else 1."""
    match = STARS.search(heading)
    return len(match.group(1)) if match else 1


def mark_regions(source, exercise, where):
    """``source`` with nbgrader's markers, each region opened by its STUB lines."""
    out, stripped, region, indent = [], [], None, 0
    for line in source.splitlines():
        if line.strip() == BEGIN:
            region, indent = [], len(line) - len(line.lstrip())
        elif line.strip() == END:
            stub = make_exercises._stub(region, indent, exercise, stripped, where)
            pad = " " * indent
            out += [pad + NB_BEGIN, *(pad + STUB + s.lstrip() for s in stub),
                    *region, pad + NB_END]
            stripped += stub
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
            stripped.append(line)
    return "\n".join(out)


def check_call(source, where):
    """(check name, argument sources) of a check cell, which must be one call."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise CourseError(f"{where}: the check cell does not parse ({err})") from None
    call = tree.body[0].value if len(tree.body) == 1 else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            and not call.keywords):
        raise CourseError(f"{where}: a check cell must be one call check_…(answers)")
    return call.func.id, [ast.get_source_segment(source, arg) for arg in call.args]


def check_modules(notebook):
    """check name → its module in nnbook.checks, from the notebook's imports."""
    modules = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "nnbook.checks."):
                for alias in node.names:
                    modules[alias.asname or alias.name] = node.module.split(".")[-1]
    return modules


def hidden_tests(module, name, args):
    """The hidden part of a test cell: the check must pass, and its variants if any."""
    lines = [HIDDEN_BEGIN, "from nnbook.checks import assert_passed", "",
             f"assert_passed({name})"]
    variant = nbgrader_hidden.TESTS.get((module, name))
    if variant is not None:
        lines += ["", inspect.getsource(variant).rstrip(), "",
                  f"{variant.__name__}({', '.join(args)})"]
    return "\n".join([*lines, HIDDEN_END])


def nbgrader_meta(grade_id, solution=False, points=None):
    """The cell metadata nbgrader reads (its schema 3)."""
    meta = {"grade": points is not None, "solution": solution,
            "locked": not solution, "grade_id": grade_id, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return meta


def _refuse_nbgrader_words(cell, where):
    """nbgrader reads these words anywhere in a cell: the book must not use them."""
    for word in NBGRADER_WORDS:
        if word in cell.source:
            raise CourseError(f"{where}: '{word}' would be read by nbgrader as its marker")


def _unique(used, base):
    used[base] = used.get(base, 0) + 1
    return base if used[base] == 1 else f"{base}-{used[base]}"


def _exercise_of(cell, exercise, points):
    """(number, points) of the exercise a markdown cell's heading opens, else as before."""
    headings = re.findall(r"^#+\s*Exercise\s+(\d+)(.*)$", cell.source, re.MULTILINE)
    if not headings:
        return exercise, points
    number, rest = headings[-1]
    return int(number), stars(rest)


def _code_cell(original, cell, exercise, points, used, where, modules):
    """Make one code cell of the source notebook (in place): answer, test or read-only."""
    if BEGIN in original.source:
        cell.source = mark_regions(original.source, exercise, where)
        cell.metadata["nbgrader"] = nbgrader_meta(
            _unique(used, f"ex{exercise}-answer"), solution=True)
    elif CHECK_CELL.search(cell.source):
        name, args = check_call(cell.source, where)
        if exercise == 0 or f"ex{exercise}-check" in used:
            raise CourseError(f"{where}: one check cell per exercise, after its heading")
        cell.source += "\n" + hidden_tests(modules.get(name), name, args)
        cell.metadata["nbgrader"] = nbgrader_meta(
            _unique(used, f"ex{exercise}-check"), points=points)
    else:
        base = f"ex{exercise}-code" if exercise else "setup"
        cell.metadata["nbgrader"] = nbgrader_meta(_unique(used, base))


def source_notebook(solution, name):
    """The source notebook of the assignment ``name`` (a new NotebookNode) from a
    solution notebook: the exercise notebook's cells, with nbgrader's metadata."""
    notebook = make_exercises.generate(solution)
    kept = [c for c in solution.cells
            if "solution-only" not in c.get("metadata", {}).get("tags", [])]
    exercise, points, used, modules = 0, 1, {}, check_modules(notebook)
    for index, (original, cell) in enumerate(zip(kept, notebook.cells, strict=True)):
        where = f"{name}, cell {index}"
        _refuse_nbgrader_words(cell, where)
        if cell.cell_type == "markdown":
            exercise, points = _exercise_of(cell, exercise, points)
        elif cell.cell_type == "code":
            _code_cell(original, cell, exercise, points, used, where, modules)
    return notebook


def total_points(notebook):
    return sum(c.metadata.get("nbgrader", {}).get("points", 0) for c in notebook.cells)


def write_course(out=OUT, names=None):
    """Write the course folder ``out`` (source/, nbgrader_config.py, README.md) for the
    chapters ``names`` (NN_slug; None: every chapter); return {name: points}."""
    out = Path(out)
    paths = sorted((ROOT / "solutions").glob("*.ipynb"))
    unknown = sorted(set(names or []) - {p.stem for p in paths})
    if unknown:
        raise CourseError(f"no solution notebook for {', '.join(unknown)}; the chapters "
                          f"are {', '.join(p.stem for p in paths)}")
    points = {}
    for path in paths:
        if names and path.stem not in names:
            continue
        notebook = source_notebook(nbformat.read(path, as_version=4), path.stem)
        target = out / "source" / path.stem / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(make_exercises.render(notebook), encoding="utf-8")
        points[path.stem] = total_points(notebook)
    (out / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    (out / "README.md").write_text(README, encoding="utf-8")
    return points


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="chapters as NN_slug (default: all)")
    parser.add_argument("--out", type=Path, default=OUT, help="the course folder")
    args = parser.parse_args(argv)
    try:
        points = write_course(args.out, args.names)
    except CourseError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for name, total in points.items():
        print(f"  {name}: {total} points")
    print(f"{len(points)} assignments, {sum(points.values())} points, in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
