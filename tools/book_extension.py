"""A small Sphinx extension for the course book (loaded through `_config.yml`).

- The `objectives-table` directive writes the instructor guide's table of every chapter's
  objectives, time and prerequisites, read from each chapter's "## In this chapter" cell
  at build time, so the table is never typed twice and never stale.
- Every page loads each script once: the notebook-launch extension registers its inline
  configuration script twice, which makes the browser throw "already declared".
- The bibliography page lists exactly the works the book cites: its `:filter:` names
  `BOOK_CITATIONS`, which is replaced, as the page is read, by the set of keys cited with
  ``{cite}`…` `` anywhere in the book (sphinxcontrib-bibtex's own `cited` filter does not see
  citations through the page's key prefix).
- The PDF's structure (parts, the intro as one chapter, one bibliography): book_latex.py.
- Launch buttons are configured by one setting, `repository.url` in `_config.yml`: while it is
  empty, the launch menu is switched off (the theme would fail on an empty address).
"""

import re
from pathlib import Path

import nbformat
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

OBJECTIVES_HEADING = "## In this chapter"
TIME = re.compile(r"^\*\*Time:\*\*\s*(\d+)\s*min\b(.*)$", re.MULTILINE)
NEED = re.compile(r"^\*\*You need:\*\*\s*(.+)$", re.MULTILINE)
EXERCISE_TIME = re.compile(r"(\d+)\s*min for the exercises")
CITATION = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
CITATIONS_PLACEHOLDER = "BOOK_CITATIONS"


def cited_keys(root):
    """The keys of every work cited in the book's notebooks and pages under ``root``."""
    root, found = Path(root), set()
    for path in sorted(root.rglob("*.ipynb")) + sorted(root.rglob("*.md")):
        if {"_build", "node_modules", ".venv", ".ipynb_checkpoints"} & set(path.relative_to(root).parts):
            continue
        for keys in CITATION.findall(path.read_text(encoding="utf-8")):
            found |= {key.strip() for key in keys.split(",")}
    return found


def chapter_summary(path):
    """Title, objectives, reading minutes, exercise minutes (or None) and prerequisites of a chapter.

    path: a chapter notebook whose first cell is `# N. Title` and whose second markdown cell
    is the "## In this chapter" cell. Raises ValueError naming what is missing.
    """
    notebook = nbformat.read(str(path), as_version=4)
    markdown = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    title = next((s.splitlines()[0][2:].strip() for s in markdown if s.startswith("# ")), None)
    block = next((s for s in markdown if s.startswith(OBJECTIVES_HEADING)), None)
    if title is None or block is None:
        raise ValueError(f"{path}: needs a '# N. Title' cell and a '{OBJECTIVES_HEADING}' cell")
    objectives = [line[2:].strip() for line in block.splitlines() if line.startswith("- ")]
    time, need = TIME.search(block), NEED.search(block)
    if not objectives or time is None or need is None:
        raise ValueError(f"{path}: the '{OBJECTIVES_HEADING}' cell needs '- ' objectives, "
                         "a '**Time:** N min' line and a '**You need:**' line")
    exercises = EXERCISE_TIME.search(time.group(2))
    return {"title": title, "objectives": objectives, "minutes": int(time.group(1)),
            "exercise_minutes": int(exercises.group(1)) if exercises else None,
            "needs": need.group(1).strip()}


def _cell(lines, first):
    """Lines of one list-table cell: the first line carries the row or cell marker."""
    return [f"{first} {lines[0]}"] + [f"    {line}" for line in lines[1:]]


CHAPTER_LINK = re.compile(r"\]\((\d\d_[\w-]+\.ipynb)")


def _rooted(text):
    """Chapter-relative links (`[Chapter 1](01_neuron.ipynb)`) made to work from any page."""
    return CHAPTER_LINK.sub(r"](/chapters/\1", text)


def table_markdown(summaries):
    """A MyST list-table of the chapters, given (docname, summary) pairs in book order."""
    out = ["```{list-table}", ":header-rows: 1", ":widths: 22 50 12 16", "",
           "* - Chapter", "  - Objectives (the reader can …)", "  - Time", "  - You need"]
    for docname, summary in summaries:
        time = f"{summary['minutes']} min"
        if summary["exercise_minutes"]:
            time += f" + {summary['exercise_minutes']} min exercises"
        out.append(f"* - {{doc}}`{summary['title']} </{docname}>`")
        out += [("  - - " if i == 0 else "    - ") + _rooted(o) for i, o in enumerate(summary["objectives"])]
        out += [f"  - {time}", f"  - {_rooted(summary['needs'])}"]
    reading = sum(s["minutes"] for _, s in summaries)
    exercising = sum(s["exercise_minutes"] or 0 for _, s in summaries)
    out += ["* - **All chapters**", "  - —", f"  - {reading} min + {exercising} min exercises", "  - —", "```"]
    return out


class ObjectivesTable(SphinxDirective):
    """Insert the table of every chapter in the book, in table-of-contents order."""

    def run(self):
        # Chapters are named NN_slug, so their sorted names are the book's order.
        docnames = sorted(d for d in self.env.found_docs if d.startswith("chapters/"))
        pages = getattr(self.env, "course_objectives_pages", set())
        self.env.course_objectives_pages = pages | {self.env.docname}
        summaries = []
        for docname in docnames:
            path = Path(self.env.doc2path(docname))
            self.env.note_dependency(str(path))
            summaries.append((docname, chapter_summary(path)))
        container = nodes.container(classes=["objectives-table"])
        self.state.nested_parse(StringList(table_markdown(summaries)), self.content_offset, container)
        return [container]


def _unique(scripts):
    seen, unique = set(), []
    for script in scripts:
        key = (str(getattr(script, "filename", script) or ""),
               tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    return unique


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    """Keep the first of identical script entries on each page."""
    context["script_files"] = _unique(context.get("script_files", []))


def _outdated(app, env, added, changed, removed):
    """A chapter added to or removed from the book changes the table: re-read its page."""
    if any(d.startswith("chapters/") for d in added | removed):
        return sorted(getattr(env, "course_objectives_pages", set()) & env.found_docs)
    return []


def _fill_citations(app, docname, source):
    """Put the set of cited keys where a page's bibliography filter names BOOK_CITATIONS."""
    if CITATIONS_PLACEHOLDER in source[0]:
        keys = ", ".join(f'"{key.lower()}"' for key in sorted(cited_keys(app.srcdir)))
        source[0] = source[0].replace(CITATIONS_PLACEHOLDER, "{" + keys + "}")


def _launch_needs_repository(app, config):
    """Launch buttons appear only once `repository.url` is set in _config.yml (the one setting)."""
    options = config.html_theme_options
    if not options.get("repository_url"):
        options.pop("launch_buttons", None)


def setup(app):
    import book_latex  # beside this file: the PDF's structure

    book_latex.setup(app)
    app.add_directive("objectives-table", ObjectivesTable)
    app.connect("config-inited", _launch_needs_repository)
    app.connect("env-get-outdated", _outdated)
    app.connect("source-read", _fill_citations)
    app.connect("html-page-context", _dedupe_scripts, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
