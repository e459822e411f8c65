"""Code and text outputs fit the rendered page: no line is cut off at the right edge.

At 1280 px the book's code blocks are 684 px wide with 16 px padding on each side, and the
monospace font takes 8.4 px a character, so 77 characters show whole; the rule keeps one
character spare. The browser test (tests/test_site.py) measures the same thing on the built
pages; this test names the line to shorten without building the book.
"""

import re

import pytest

from notebooks import CHAPTERS, ROOT, SOLUTIONS, ids, read

MAX_CHARS = 76
MARKDOWN = [ROOT / "intro.md", *sorted((ROOT / "backmatter").glob("*.md"))]
FENCE = re.compile(r"^```(?!\{)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def too_long(text):
    return [line for line in text.splitlines() if len(line) > MAX_CHARS]


def shown_texts(cell):
    """What the book shows of a code cell: its source and its text outputs."""
    if "remove-input" not in cell.metadata.get("tags", []):
        yield "code", cell.source
    if "remove-output" in cell.metadata.get("tags", []):
        return
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            yield "output", output.text
        elif output.output_type == "error":
            yield "output", f"{output.ename}: {output.evalue}"
        elif output.output_type in ("execute_result", "display_data"):
            data = output.get("data", {})
            if "text/plain" in data and not set(data) - {"text/plain"}:
                yield "output", data["text/plain"]


@pytest.mark.parametrize("path", CHAPTERS + SOLUTIONS, ids=ids(CHAPTERS + SOLUTIONS))
def test_notebook_lines_fit_the_page(path):
    notebook = read(path)
    found = [(index, kind, line) for index, cell in enumerate(notebook.cells)
             if cell.cell_type == "code" and "remove-cell" not in cell.metadata.get("tags", [])
             for kind, text in shown_texts(cell) for line in too_long(text)]
    found += [(index, "code block in the text", line) for index, cell in enumerate(notebook.cells)
              if cell.cell_type == "markdown"
              for block in FENCE.findall(cell.source) for line in too_long(block)]
    assert not found, (
        f"{len(found)} lines are longer than {MAX_CHARS} characters and are cut off in the "
        f"book; break them (cell, code/output, line): {found[:5]}")


@pytest.mark.parametrize("path", MARKDOWN, ids=ids(MARKDOWN))
def test_code_blocks_in_pages_fit(path):
    found = [line for block in FENCE.findall(path.read_text()) for line in too_long(block)]
    assert not found, f"code lines longer than {MAX_CHARS} characters: {found[:5]}"
