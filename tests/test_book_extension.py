"""The book's Sphinx extension and the student edition's table of contents, without a build."""

import sys
from types import SimpleNamespace

import nbformat
import pytest
import yaml

from notebooks import CHAPTERS, ROOT

sys.path.insert(0, str(ROOT / "tools"))
import book_extension  # noqa: E402
import student_edition  # noqa: E402


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_every_chapter_gives_the_instructor_table_its_row(chapter):
    summary = book_extension.chapter_summary(chapter)
    assert summary["title"][0].isdigit() and 3 <= len(summary["objectives"]) <= 5
    assert summary["minutes"] > 0 and summary["needs"]


def test_a_chapter_without_its_objectives_block_is_refused(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 9. Untitled"),
                                               nbformat.v4.new_markdown_cell("## In this chapter\n\n- one\n")])
    path = tmp_path / "09_untitled.ipynb"
    nbformat.write(notebook, str(path))
    with pytest.raises(ValueError, match=r"\*\*Time:\*\*"):
        book_extension.chapter_summary(path)


def test_the_table_lists_every_objective_and_a_total():
    summary = {"title": "1. A", "objectives": ["x", "y", "z"], "minutes": 30, "exercise_minutes": 20, "needs": "n"}
    lines = book_extension.table_markdown([("chapters/01_a", summary), ("chapters/02_b", summary)])
    assert lines[0] == "```{list-table}" and lines[-1] == "```"
    assert sum(line.endswith(" x") for line in lines) == 2
    assert "  - 60 min + 40 min exercises" in lines


def test_launch_buttons_need_the_repository_url():
    config = SimpleNamespace(html_theme_options={"repository_url": "", "launch_buttons": {"binderhub_url": "b"}})
    book_extension._launch_needs_repository(None, config)
    assert "launch_buttons" not in config.html_theme_options
    config = SimpleNamespace(html_theme_options={"repository_url": "https://example.org/r",
                                                 "launch_buttons": {"binderhub_url": "b"}})
    book_extension._launch_needs_repository(None, config)
    assert config.html_theme_options["launch_buttons"] == {"binderhub_url": "b"}


def test_the_student_toc_has_no_solutions_and_no_instructor_guide():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    text = yaml.safe_dump(student_edition.student_toc(toc))
    assert "solutions/" not in text and "backmatter/instructor" not in text
    assert "exercises/01_neuron" in text and "chapters/01_neuron" in text


def test_chapter_links_in_the_table_work_from_any_page():
    from book_extension import _rooted
    assert _rooted("[Chapter 1](01_neuron.ipynb) and [§2](02_learning.ipynb#sec)") == (
        "[Chapter 1](/chapters/01_neuron.ipynb) and [§2](/chapters/02_learning.ipynb#sec)")
    assert _rooted("[site](https://example.org/01_x.ipynb)") == "[site](https://example.org/01_x.ipynb)"
