"""Every chapter follows the skeleton of the conventions, and what is stored is clean."""

import json
import re

import pytest

from notebooks import CHAPTERS, EXERCISES, EXERCISE_HEADING, ROOT, SOLUTIONS, ids, read

ALL = CHAPTERS + SOLUTIONS + EXERCISES
OBJECTIVES = re.compile(r"^## In this chapter\s*$", re.MULTILINE)
TIME = re.compile(r"^\*\*Time:\*\* \d+ min", re.MULTILINE)
NEED = re.compile(r"^\*\*You need:\*\* \S", re.MULTILINE)
ABSOLUTE_PATH = re.compile(r"(/work/|/home/|/root/|/tmp/|[A-Z]:\\\\)")


def markdown(notebook):
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("path", CHAPTERS, ids=ids(CHAPTERS))
def test_chapter_skeleton(path):
    nb = read(path)
    first_md = [c for c in nb.cells if c.cell_type == "markdown"][:2]
    header = "\n".join(c.source for c in first_md)
    assert header.startswith("# "), "a chapter starts with its title"
    assert OBJECTIVES.search(header) and TIME.search(header) and NEED.search(header), \
        "second cell: '## In this chapter', 3–5 objectives, **Time:** N min, **You need:** …"
    bullets = re.findall(r"^- ", header.split("## In this chapter")[1].split("**Time:**")[0], re.MULTILINE)
    assert 3 <= len(bullets) <= 5, f"3–5 objectives expected, found {len(bullets)}"
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert "set_seed(0)" in first_code.source, "the first code cell is the set-up cell with set_seed(0)"
    text = markdown(nb)
    for heading in ("## What we learned", "## Exercises", "## References"):
        assert heading in text, f"missing section {heading!r}"
    sections = re.findall(r"^## (?!In this chapter|What we learned|Exercises|References)(.*)$", text, re.MULTILINE)
    assert sections and all(re.search(r"\(\d+ min\)", s) for s in sections), \
        f"every section heading carries a time estimate like '(10 min)': {sections}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids(SOLUTIONS))
def test_exercises_have_difficulty_and_time(path):
    for number, rest in EXERCISE_HEADING.findall(markdown(read(path))):
        assert re.search(r"★", rest) and re.search(r"\d+ min", rest), \
            f"Exercise {number} heading needs a difficulty (★) and a time estimate"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_stored_notebook_is_clean(path):
    nb = read(path)
    assert path.stat().st_size < 1_000_000, "a notebook stays under 1 MB"
    assert "widgets" not in nb.metadata, "widget state must not be stored"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        for out in cell.get("outputs", []):
            assert not (out.output_type == "stream" and out.name == "stderr"), \
                f"a warning or error text is stored in the outputs of:\n{cell.source}"
            assert out.output_type != "error" or "raises-exception" in tags, \
                f"an error is stored in the outputs of:\n{cell.source}"
            assert not ABSOLUTE_PATH.search(json.dumps(out)), f"an absolute path is stored in:\n{cell.source}"
            assert "application/vnd.jupyter.widget-view+json" not in out.get("data", {}), "widget view stored"


@pytest.mark.parametrize("path", CHAPTERS + SOLUTIONS, ids=ids(CHAPTERS + SOLUTIONS))
def test_figures_have_caption_and_alt_text(path):
    for cell in read(path).cells:
        has_image = any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
        if has_image and "remove-output" not in cell.metadata.get("tags", []):
            mystnb = cell.metadata.get("mystnb", {})
            assert mystnb.get("image", {}).get("alt"), f"figure without alt text:\n{cell.source}"
            if path.parent.name == "chapters":
                assert mystnb.get("figure", {}).get("caption"), f"figure without caption:\n{cell.source}"


def test_every_notebook_is_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    for path in ALL:
        entry = path.relative_to(ROOT).with_suffix("").as_posix()
        assert f"file: {entry}\n" in toc, f"{entry} is not in _toc.yml"
