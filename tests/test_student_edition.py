"""The student edition holds no solution code, and the hand-out archive holds the exercises and the package.

"Solution code" is every line between `# BEGIN SOLUTION` and `# END SOLUTION` in solutions/, and
every line of a cell tagged `solution-only`, that appears nowhere in what students are meant to
see (the chapters and the generated exercise notebooks).
"""

import html
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from notebooks import CHAPTERS, EXERCISES, ROOT, SOLUTIONS, read

sys.path.insert(0, str(ROOT / "tools"))
import pack_exercises  # noqa: E402
import student_edition  # noqa: E402

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
MIN_LENGTH = 12  # shorter lines (`return z`, `pass`) say nothing about a solution


def _normalise(text):
    return re.sub(r"\s+", " ", text).strip()


def solution_lines(notebook):
    """The stripped lines of a solution notebook's solution regions and solution-only cells."""
    lines = []
    for cell in notebook.cells:
        if "solution-only" in cell.metadata.get("tags", []):
            lines += cell.source.splitlines()
        elif cell.cell_type == "code":
            inside = False
            for line in cell.source.splitlines():
                if line.strip() == BEGIN:
                    inside = True
                elif line.strip() == END:
                    inside = False
                elif inside:
                    lines.append(line)
    return [_normalise(line) for line in lines if len(line.strip()) >= MIN_LENGTH]


def _student_text():
    return _normalise(" ".join(cell.source for path in CHAPTERS + EXERCISES for cell in read(path).cells))


def secrets():
    """Solution lines that the chapters and exercise notebooks do not also contain."""
    shown = _student_text()
    found = {}
    for path in SOLUTIONS:
        for line in solution_lines(read(path)):
            if line not in shown:
                found.setdefault(line, path.name)
    return found


def readable_text(path):
    """What a file says, with HTML tags and entities and JSON string escapes undone."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        raw = " ".join(cell.get("source", "") if isinstance(cell.get("source"), str) else "".join(cell["source"])
                       for cell in json.loads(raw).get("cells", []))
    elif path.suffix in (".html", ".htm", ".xml", ".svg"):
        raw = html.unescape(re.sub(r"<[^>]+>", "", raw))
    elif path.suffix in (".js", ".json", ".txt", ".md", ".py", ".yml", ".inv"):
        raw = raw + " " + raw.replace('\\"', '"').replace("\\n", "\n")
    else:
        return ""
    return _normalise(raw)


def leaks(folder):
    """(file, solution line) for every solution line found in any readable file under `folder`."""
    hidden = secrets()
    mathjax = ROOT / "node_modules" / "mathjax" / "es5"
    found = []
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        parts = path.relative_to(folder).parts
        if "_static" in parts and (mathjax / Path(*parts[parts.index("_static") + 1:])).is_file():
            continue  # a copy of a MathJax file from npm
        text = readable_text(path)
        found += [(str(path.relative_to(folder)), line) for line in hidden if line in text]
    return found


def test_the_detector_finds_solution_code_where_it_is():
    hidden = secrets()
    assert len(hidden) >= 5 * len(SOLUTIONS), f"only {len(hidden)} solution lines to look for"
    for path in SOLUTIONS:
        text = readable_text(path)
        mine = [line for line, source in hidden.items() if source == path.name]
        assert mine and all(line in text for line in mine), f"{path.name}: the detector misses its own lines"


@pytest.fixture(scope="module")
def student_html(tmp_path_factory):
    return student_edition.build(tmp_path_factory.mktemp("student"))


def test_student_edition_has_no_solution_code(student_html):
    assert not (student_html / "solutions").exists() and not (student_html / "_sources" / "solutions").exists()
    for exercise in EXERCISES:
        assert (student_html / "exercises" / exercise.with_suffix(".html").name).exists()
    found = leaks(student_html)
    assert not found, f"{len(found)} solution lines in the student edition:\n" + "\n".join(
        f"{where}: {line}" for where, line in found[:30])


def test_student_edition_speaks_to_students(student_html):
    intro = readable_text(student_html / "intro.html")  # index.html only redirects there
    for authors_only in ("make test", "keep solutions/", "Hand out exercises/"):
        assert authors_only not in intro, f"the student intro still says {authors_only!r}"
    assert "Your instructor hands out the course" in intro
    for page in student_html.rglob("*.html"):
        assert "Exercises and solutions" not in page.read_text(encoding="utf-8"), page.name


def test_student_intro_swaps_the_marked_passages():
    text = ("a\n<!-- full book only -->\nmake test\n<!-- end full book only -->\n"
            "<!-- student edition only\nask your instructor\n-->\nb\n")
    assert student_edition.student_intro(text) == "a\nask your instructor\nb\n"
    full = (ROOT / "intro.md").read_text(encoding="utf-8")
    assert full.count("<!-- full book only -->") == full.count("<!-- end full book only -->") >= 2
    assert "<!-- student edition only" in full
    assert student_edition.student_caption("Exercises and solutions") == "Exercises"


def test_handout_archive_holds_exercises_and_package(tmp_path):
    archive = pack_exercises.pack(tmp_path / "handout.zip")
    with zipfile.ZipFile(archive) as bundle:
        names = bundle.namelist()
        bundle.extractall(tmp_path / "unpacked")
    top = tmp_path / "unpacked" / pack_exercises.FOLDER
    for exercise in EXERCISES:
        assert f"{pack_exercises.FOLDER}/exercises/{exercise.name}" in names
    assert f"{pack_exercises.FOLDER}/nnbook/__init__.py" in names and f"{pack_exercises.FOLDER}/README.md" in names
    for licence in ("LICENSE", "LICENSE-CONTENT.md"):
        assert f"{pack_exercises.FOLDER}/{licence}" in names
    assert "CC BY 4.0" in pack_exercises.README and "MIT" in pack_exercises.README
    assert not [n for n in names if "/solutions/" in n or "__pycache__" in n or n.endswith(".pyc")]
    assert not leaks(top / "exercises"), "solution code in the handed-out exercise notebooks"
    # The package in the archive imports from the archive alone.
    result = subprocess.run([sys.executable, "-c", "import nnbook, nnbook.checks; print(nnbook.__file__)"],
                            cwd=top, capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(top)})
    assert result.returncode == 0 and str(top) in result.stdout, result.stderr[-2000:]
