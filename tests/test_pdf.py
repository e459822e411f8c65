"""The printed book (`make pdf`) and the students' PDF (`make student-pdf`), read back as text.

Both need XeLaTeX, latexmk and poppler's pdfinfo/pdftotext (`make tex` installs them from
Debian's packages); where they are missing these tests are skipped and say so. They are not
part of what `make test` needs to pass on a machine without TeX (CI has none).

The full PDF: a plausible page count, every chapter of _toc.yml by its title, the intro as one
chapter, a page for each part, every row of the instructor guide's objectives table (each
chapter and its time), every cited work exactly once in the bibliography, no "??" of a broken
reference and no empty "References" heading. The students' PDF: the chapters and exercises,
no solution line, no instructor guide.
"""

import re
import shutil
import subprocess
import sys

import pytest
import yaml

from notebooks import CHAPTERS, ROOT
from test_student_edition import secrets

sys.path.insert(0, str(ROOT / "tools"))
import student_edition  # noqa: E402
from book_extension import chapter_summary, cited_keys  # noqa: E402

TOOLS = ("xelatex", "latexmk", "pdfinfo", "pdftotext")
missing = [tool for tool in TOOLS if shutil.which(tool) is None]
pytestmark = pytest.mark.skipif(
    bool(missing), reason=f"no TeX here ({', '.join(missing)} missing): `make tex` installs it")


def _text(pdf):
    """The PDF's text laid out as printed (for headings), and in reading order as one line
    (for sentences: a table's columns are then not interleaved)."""
    raw = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    flow = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    joined = re.sub(r"-\n\s*", "", flow)  # words hyphenated at a line's end
    joined = joined.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return raw, re.sub(r"\s+", " ", joined)


def _pages(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


@pytest.fixture(scope="module")
def book_pdf(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    jupyter_book = ROOT / ".venv" / "bin" / "jupyter-book"
    command = [str(jupyter_book) if jupyter_book.exists() else "jupyter-book", "build", str(ROOT),
               "--builder", "pdflatex", "--path-output", str(out)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return out / "_build" / "latex" / "book.pdf"


def test_the_book_pdf_holds_every_chapter_part_and_work_once(book_pdf):
    raw, text = _text(book_pdf)
    assert 150 < _pages(book_pdf) < 600
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    for part in toc["parts"]:
        caption = part["caption"].split(" — ", 1)[-1]
        assert caption in text, f"no page for the part {caption!r}"
    for chapter in CHAPTERS:
        assert chapter_summary(chapter)["title"] in text, chapter.name
    assert "About this book" in text and "CONTENTS" in raw[:3000]
    assert "??" not in text, "a broken reference"
    latex = book_pdf.with_suffix(".tex").read_text(encoding="utf-8")
    empty = re.search(r"\\section\{References\}(\\label\{\\detokenize\{[^}]*\}\}|\\sphinxstepscope|\s)*"
                      r"\\(chapter|section|part|end\{document)", latex)
    assert not empty, "an empty References section"
    bibliography = raw[raw.rfind("BIBLIOGRAPHY"):]
    labels = re.findall(r"^\[([A-Za-z+]+\d\d[a-z]?)\]", bibliography, re.MULTILINE)
    assert len(labels) == len(set(labels)) == len(cited_keys(ROOT)), labels


def test_every_row_of_the_objectives_table_is_printed(book_pdf):
    _, text = _text(book_pdf)
    heading = "What each chapter covers"  # first in the contents, then the section itself
    table = text[text.find(heading, text.find(heading) + 1):]
    for chapter in CHAPTERS:
        summary = chapter_summary(chapter)
        assert summary["title"] in table, f"the objectives table lost {summary['title']!r}"
        first = " ".join(summary["objectives"][0].split()[:3]).replace("`", "")
        assert first in table, f"{summary['title']}: its first objective is not printed"
        assert f"{summary['minutes']} min" in table


def test_the_students_pdf_holds_no_solution_and_no_guide(tmp_path):
    pdf = student_edition.build(tmp_path, pdf=True)
    _, text = _text(pdf)
    assert "Instructor guide" not in text and "What each chapter covers" not in text
    for chapter in CHAPTERS:
        assert chapter_summary(chapter)["title"] in text, chapter.name
    leaked = [line for line in secrets() if len(line) >= 30 and line in text]
    assert not leaked, f"solution lines in the students' PDF: {leaked[:5]}"
