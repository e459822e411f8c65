"""The instructor's grading pages: a question bank per part of the book, and a mini-project.

Both are sections of the instructor guide, left out of the student edition with it. The bank
has a fixed form that these tests read: each question is a heading ``### Qp.n · title``
(p the part, n its number), a line ``*Kind · Chapter N, Section N.M · K marks*``, the
question, then ``**Answer.**`` and ``**Marking.**``. A figure that an answer quotes from the
book is pasted from the chapter's own output (``{glue:text}`../chapters/NN.ipynb::key:fmt```),
so these tests also check that every such key is still stored in its chapter.
"""

import re
import sys

import nbformat
import pytest
import yaml

from notebooks import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import student_edition  # noqa: E402

GUIDE = "backmatter/instructor"
QUESTIONS = "backmatter/instructor_questions"
PROJECT = "backmatter/instructor_project"
PARTS = {1: range(1, 3), 2: range(3, 6), 3: range(6, 10), 4: range(10, 13),
         5: range(13, 15)}   # part → its chapters
KINDS = {"Computation", "Explain", "Spot the bug", "Predict the plot"}
MIN_PER_PART = 8
QUESTION = re.compile(r"^### Q(\d+)\.(\d+) · (.+)$", re.MULTILINE)
META = re.compile(r"^\*(?P<kind>[^·*]+) · (?P<source>Chapter [^·*]+) · (?P<marks>\d+) marks?\*$")
SECTION = re.compile(r"\b(\d+)\.(\d+)\b")
GLUE = re.compile(r"\{glue:text\}`([^`:]+)::([^`:]+):[^`]*`")
RUBRIC_ROW = re.compile(r"^\| (?P<name>[^|]+) \((?P<points>\d+)\) \|(?P<cells>.*)\|$", re.MULTILINE)


def page(name):
    return (ROOT / f"{name}.md").read_text(encoding="utf-8")


def questions():
    """(part, number, title, body) of every question in the bank, in order."""
    text = page(QUESTIONS)
    heads = list(QUESTION.finditer(text))
    ends = [h.start() for h in heads[1:]] + [len(text)]
    return [(int(h[1]), int(h[2]), h[3], text[h.end():end].split("\n## ")[0])
            for h, end in zip(heads, ends)]


def section_headings(chapter):
    """The numbers "N.M" of a chapter notebook's sections (its "## N.M Title" headings)."""
    path = next((ROOT / "chapters").glob(f"{chapter:02d}_*.ipynb"), None)
    assert path is not None, f"the bank cites Chapter {chapter}, which has no notebook"
    notebook = nbformat.read(path, as_version=4)
    return {m[1] for cell in notebook.cells if cell.cell_type == "markdown"
            for m in re.finditer(r"^## (\d+\.\d+) ", cell.source, re.MULTILINE)}


def glue_names(path):
    """The names of the glue records stored in a notebook's outputs."""
    notebook = nbformat.read(path, as_version=4)
    return {output.get("metadata", {}).get("scrapbook", {}).get("name")
            for cell in notebook.cells for output in cell.get("outputs", [])}


def test_the_pages_are_sections_of_the_instructor_guide():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    entries = [entry for part in toc["parts"] for entry in part["chapters"]]
    guide = next(entry for entry in entries if entry.get("file") == GUIDE)
    assert [s["file"] for s in guide.get("sections", [])] == [QUESTIONS, PROJECT]
    guide_text = page(GUIDE)
    for name in (QUESTIONS, PROJECT):
        assert (ROOT / f"{name}.md").is_file()
        assert f"]({name.split('/')[1]}.md)" in guide_text, f"the guide does not link {name}"


def test_every_question_has_a_source_an_answer_and_marking_notes():
    found = questions()
    assert found, "no question headings of the form '### Q1.1 · title'"
    for part, number, title, body in found:
        name = f"Q{part}.{number} ({title})"
        lines = [line for line in body.strip().splitlines() if line.strip()]
        meta = META.match(lines[0])
        assert meta, f"{name}: its first line must read '*Kind · Chapter N, Section N.M · K marks*'"
        assert meta["kind"] in KINDS, f"{name}: kind {meta['kind']!r} is not one of {sorted(KINDS)}"
        answer, marking = body.find("**Answer.**"), body.find("**Marking.**")
        assert answer > 0 and marking > answer, f"{name}: needs **Answer.** then **Marking.**"
        assert body[answer:marking].strip() != "**Answer.**", f"{name}: the answer is empty"
        assert body[marking:].strip() != "**Marking.**", f"{name}: the marking notes are empty"


def test_each_part_has_enough_questions_of_every_kind_numbered_in_order():
    found = questions()
    for part in PARTS:
        numbers = [n for p, n, _, _ in found if p == part]
        assert numbers == list(range(1, len(numbers) + 1)), f"part {part}: numbered {numbers}"
        assert len(numbers) >= MIN_PER_PART, f"part {part} has {len(numbers)} questions"
        kinds = {META.match(body.strip().splitlines()[0])["kind"] for p, _, _, body in found
                 if p == part}
        assert kinds == KINDS, f"part {part} lacks {sorted(KINDS - kinds)}"
    assert {p for p, _, _, _ in found} == set(PARTS)


def test_every_cited_section_exists_in_a_chapter_of_its_part():
    for part, number, _, body in questions():
        source = META.match(body.strip().splitlines()[0])["source"]
        chapter = int(re.match(r"Chapter (\d+)", source)[1])
        assert chapter in PARTS[part], f"Q{part}.{number} cites Chapter {chapter}, not in part {part}"
        sections = {f"{a}.{b}" for a, b in SECTION.findall(source)}
        assert sections, f"Q{part}.{number}: name the section, 'Chapter N, Section N.M'"
        missing = sections - section_headings(chapter)
        assert not missing, f"Q{part}.{number} cites sections {sorted(missing)}, not in Chapter {chapter}"


@pytest.mark.parametrize("name", [QUESTIONS, PROJECT])
def test_every_pasted_figure_is_stored_in_its_chapter(name):
    for notebook, key in GLUE.findall(page(name)):
        path = (ROOT / "backmatter" / notebook).resolve()
        assert path.is_file(), f"{name} pastes from {notebook}, which does not exist"
        assert key in glue_names(path), (
            f"{name} pastes {key!r}, which {notebook} no longer glues: "
            f"update the question to the chapter's new figure")


def printed(chapter):
    """Everything a chapter notebook's code cells printed or displayed as text."""
    path = next((ROOT / "chapters").glob(f"{chapter:02d}_*.ipynb"))
    notebook = nbformat.read(path, as_version=4)
    return "\n".join(output.get("text", "") or output.get("data", {}).get("text/plain", "")
                     for cell in notebook.cells for output in cell.get("outputs", []))


# Figures the bank types because the chapter prints them without gluing them: (question,
# chapter, the printed text the answer quotes).
TYPED = [
    ("Q1.5", 2, "dCE/dz  = [-0.2494"), ("Q1.5", 2, "dSE/dz  = [-0.0012"),
    ("Q1.8", 2, "final loss 0.4253"), ("Q1.8", 2, "final loss 0.3149"),
    ("Q1.8", 2, "final loss 0.3093"), ("Q2.2", 3, "after 200 epochs: 37.0 %"),
    ("Q3.1", 6, "mean squared error: 1.33, but should be 0"), ("Q3.2", 6, "43 batches"),
    ("Q3.14", 9, "102668 parameters counted"), ("Q3.14", 9, "206336 FLOPs per token counted"),
]


@pytest.mark.parametrize("question, chapter, text", TYPED, ids=[f"{q}-{t}" for q, _, t in TYPED])
def test_every_typed_figure_is_still_what_the_chapter_prints(question, chapter, text):
    assert text in printed(chapter), (
        f"{question} quotes {text!r} from Chapter {chapter}, which no longer prints it: "
        f"update the question")


def test_the_rubric_totals_100_with_four_levels_that_cover_every_point():
    rows = list(RUBRIC_ROW.finditer(page(PROJECT)))
    assert len(rows) >= 5, "the rubric needs a row per criterion: '| Name (points) | … |'"
    assert sum(int(row["points"]) for row in rows) == 100
    for row in rows:
        cells = [cell.strip() for cell in row["cells"].split("|")]
        assert len(cells) == 4, f"{row['name']}: four levels, from Excellent to Insufficient"
        ranges = [tuple(map(int, re.match(r"(\d+)–(\d+):", cell).groups())) for cell in cells]
        assert ranges[0][1] == int(row["points"]) and ranges[-1][0] == 0, row["name"]
        assert all(high + 1 == low for (low, _), (_, high) in zip(ranges, ranges[1:])), row["name"]


def test_the_student_edition_leaves_both_pages_out():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    text = yaml.safe_dump(student_edition.student_toc(toc))
    for name in (QUESTIONS, PROJECT):
        assert name in yaml.safe_dump(toc)
        assert name not in text, f"the student edition's table of contents lists {name}"


def test_no_page_of_the_student_edition_links_to_them():
    """Only the instructor guide links the grading pages, so the student edition has no dangling link."""
    sources = [ROOT / "intro.md", *(ROOT / "backmatter").glob("*.md"),
               *(ROOT / "chapters").glob("*.ipynb"), *(ROOT / "exercises").glob("*.ipynb")]
    for path in sources:
        if path.stem.startswith("instructor"):
            continue
        text = path.read_text(encoding="utf-8")
        for name in (QUESTIONS, PROJECT):
            assert name.split("/")[1] not in text, f"{path.name} links {name}"


def _schedule(heading):
    """The rows of the table under ``heading`` in the guide, as lists of cells."""
    text = page(GUIDE).split(heading, 1)[1]
    rows = [line for line in text.split("\n###", 1)[0].splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[1:]]


def _chapters_named(cells):
    return [int(n) for cell in cells for n in re.findall(r"(?:^|; )(\d+)\. ", cell)]


def test_both_schedules_teach_every_chapter_once_in_order():
    chapters = sorted(int(p.name[:2]) for p in (ROOT / "chapters").glob("*.ipynb"))
    semester = _schedule("### A 13-week semester")
    assert [int(row[0]) for row in semester] == list(range(1, 14))
    assert _chapters_named(row[1] for row in semester) == chapters
    bootcamp = _schedule("### A 5-day bootcamp")
    assert [int(row[0]) for row in bootcamp] == list(range(1, 6))
    assert _chapters_named(cell for row in bootcamp for cell in row[1:]) == chapters
