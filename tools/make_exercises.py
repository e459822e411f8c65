"""Generate the exercise notebooks in exercises/ from the solution notebooks in solutions/.

The solution notebook is the single source. In it:
- the reader's part of each answer sits between ``# BEGIN SOLUTION`` and ``# END SOLUTION``;
  inside a function body the region becomes ``raise NotImplementedError("Exercise N: …")``,
  at the top level each assignment ``name = …`` in it becomes ``name = ...``;
- a cell tagged ``solution-only`` is left out;
- the title's " — solutions" suffix is dropped; all outputs are cleared.

Usage: python tools/make_exercises.py            # write exercises/
       python tools/make_exercises.py --check    # exit 1 if exercises/ is stale
"""

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
EXERCISE_HEADING = re.compile(r"^#+\s*Exercise\s+(\d+)", re.MULTILINE)
TITLE_SUFFIX = re.compile(r"\s*(—|-|–)\s*solutions\s*$", re.IGNORECASE)
ASSIGNMENT = re.compile(r"^([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*=(?!=)")
DEF = re.compile(r"^(\s*)def\s+(\w+)\s*\(")


class GeneratorError(ValueError):
    """A solution notebook breaks the marker rules; the message says where."""


def _enclosing_function(lines, indent):
    for line in reversed(lines):
        match = DEF.match(line)
        if match and len(match.group(1)) < indent:
            return match.group(2)
    return None


def _stub(region, indent, exercise, lines_before, where):
    pad = " " * indent
    if indent > 0:
        name = _enclosing_function(lines_before, indent)
        what = f"complete {name}()" if name else "complete this part"
        return [f'{pad}raise NotImplementedError("Exercise {exercise}: {what}")']
    targets = []
    for line in region:
        match = ASSIGNMENT.match(line)
        if match:
            targets += [t.strip() for t in match.group(1).split(",") if t.strip() not in targets]
    if not targets:
        raise GeneratorError(f"{where}: a top-level solution region must assign the answer (name = …)")
    return [f"{target} = ...  # your answer" for target in targets]


def strip_solutions(source, exercise, where):
    """Return ``source`` with every solution region replaced by its stub."""
    out, region, indent = [], None, 0
    for number, line in enumerate(source.splitlines(), 1):
        stripped = line.strip()
        if stripped == BEGIN:
            if region is not None:
                raise GeneratorError(f"{where}, line {number}: nested {BEGIN}")
            region, indent = [], len(line) - len(line.lstrip())
        elif stripped == END:
            if region is None:
                raise GeneratorError(f"{where}, line {number}: {END} without {BEGIN}")
            out += _stub(region, indent, exercise, out, where)
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise GeneratorError(f"{where}: {BEGIN} is never closed")
    return "\n".join(out)


def generate(solution):
    """Build the exercise notebook (a new NotebookNode) from a solution notebook."""
    exercise_nb = nbformat.v4.new_notebook(metadata=solution.metadata)
    exercise, titled = 0, False
    for index, cell in enumerate(solution.cells):
        if "solution-only" in cell.get("metadata", {}).get("tags", []):
            continue
        cell = nbformat.from_dict(dict(cell))
        cell.metadata.pop("execution", None)
        if cell.cell_type == "markdown":
            numbers = EXERCISE_HEADING.findall(cell.source)
            exercise = int(numbers[-1]) if numbers else exercise
            if not titled:
                first, *rest = cell.source.split("\n")
                cell.source = "\n".join([TITLE_SUFFIX.sub("", first), *rest])
                titled = True
        elif cell.cell_type == "code":
            cell.source = strip_solutions(cell.source, exercise, f"cell {index}")
            cell.outputs, cell.execution_count = [], None
        exercise_nb.cells.append(cell)
    return exercise_nb


def render(notebook):
    return nbformat.writes(notebook) + "\n"


def exercise_path(solution_path):
    return ROOT / "exercises" / Path(solution_path).name


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if exercises/ is stale")
    args = parser.parse_args(argv)
    stale = []
    solutions = sorted((ROOT / "solutions").glob("*.ipynb"))
    for path in solutions:
        text = render(generate(nbformat.read(path, as_version=4)))
        target = exercise_path(path)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            stale.append(target.relative_to(ROOT))
            if not args.check:
                target.write_text(text, encoding="utf-8")
    orphans = [p.relative_to(ROOT) for p in (ROOT / "exercises").glob("*.ipynb")
               if not (ROOT / "solutions" / p.name).exists()]
    if args.check and (stale or orphans):
        print("stale exercise notebooks (run `make exercises`):", *stale, *orphans, sep="\n  ")
        return 1
    print(f"{len(solutions)} solution notebooks, {len(stale)} exercise notebooks "
          f"{'stale' if args.check else 'written'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
