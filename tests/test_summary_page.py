"""The back matter's one-page summary, "Neural networks vs deep learning: the evidence".

One row per claim about deep learning, each quoting figures that are pasted from a chapter's
stored output when the book is built (never typed), and each naming the chapter that measured
them; the claims cover the themes of the book's first page."""

import re

import nbformat
import pytest

from notebooks import ROOT

PAGE = ROOT / "backmatter" / "summary.md"
GLUE = re.compile(r"\{glue:text\}`([^`:]+)::([^`:]+)(?::[^`]*)?`")
LINK = re.compile(r"\[Chapter (\d+)\]\(\.\./chapters/(\d\d_\w+)\.ipynb\)")
THEMES = ("Depth", "Features", "Order", "more data", "overfit", "Transfer", "black box",
          "classical models", "hybrids", "Compute")


def rows():
    lines = [l for l in PAGE.read_text(encoding="utf-8").splitlines() if l.startswith("| ")]
    return lines[1:]   # after the header (the rule below it starts "|-")


def glue_names(path):
    notebook = nbformat.read(path, as_version=4)
    return {output.get("metadata", {}).get("scrapbook", {}).get("name")
            for cell in notebook.cells for output in cell.get("outputs", [])}


def test_every_claim_quotes_a_pasted_figure_and_names_its_chapter():
    assert len(rows()) >= 8
    for row in rows():
        claim, measured, verdict = [c.strip() for c in row.strip("|").split(" | ")]
        assert GLUE.search(measured), f"no pasted figure in: {claim}"
        assert not re.search(r"(?<![\w.`])\d+\.\d %", re.sub(GLUE, "", measured)), \
            f"a typed percentage in: {claim}"
        assert LINK.search(measured), f"no chapter named in: {claim}"
        assert verdict, f"no verdict for: {claim}"


@pytest.mark.parametrize("notebook, key", sorted(set(GLUE.findall(PAGE.read_text(encoding="utf-8")))))
def test_every_pasted_figure_is_stored_in_its_chapter(notebook, key):
    path = (PAGE.parent / notebook).resolve()
    assert path.is_file(), f"the summary pastes from {notebook}, which does not exist"
    assert key in glue_names(path), f"{notebook} no longer glues {key!r}"


def test_every_linked_chapter_exists_and_is_the_one_numbered():
    for number, slug in LINK.findall(PAGE.read_text(encoding="utf-8")):
        assert (ROOT / "chapters" / f"{slug}.ipynb").is_file(), slug
        assert int(slug[:2]) == int(number), f"Chapter {number} links {slug}"


def test_the_claims_cover_the_themes_of_the_first_page():
    claims = " ".join(row.strip("|").split(" | ")[0] for row in rows())
    missing = [theme for theme in THEMES if theme not in claims + " ".join(rows())]
    assert not missing, missing


def test_every_pasted_figure_names_its_format():
    """A glue role that pastes from another page needs ``path::key:format``: without the
    format, MyST reads ``path:`` as the key and the book build warns."""
    text = PAGE.read_text(encoding="utf-8")
    roles = re.findall(r"\{glue:text\}`[^`]*`", text)
    assert roles and all(re.fullmatch(r"\{glue:text\}`[^`:]+::[^`:]+:[^`:]+`", r) for r in roles), \
        [r for r in roles if not re.fullmatch(r"\{glue:text\}`[^`:]+::[^`:]+:[^`:]+`", r)]
