"""The PDF's structure (`make pdf`, Sphinx's LaTeX builder), loaded by book_extension.py.

Sphinx makes one LaTeX document of the whole book. Left alone it loses what the web pages
show by their layout, so for the LaTeX builder only:

- the intro's sections become one chapter, "About this book", instead of one short chapter
  each, and every part of `_toc.yml` starts with a `\\part` page (Sphinx drops the captions);
- each work cited appears once, in the bibliography at the end of the book: the chapters'
  own "References" lists (one per chapter on the web) would repeat it, and the bibliography
  page of the web edition would be an empty chapter;
- every table may break across pages (a longtable) and its columns wrap, so that no row
  and no column falls off a page; the contents page is headed "Contents".

Nothing here changes the HTML build: the citations are chosen anew at every build, and the
document tree is changed only after it has been assembled for LaTeX.
"""

from pathlib import Path

import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

ABOUT = "About this book"
BIBLIOGRAPHY_PAGE = "backmatter/bibliography"
REFERENCES = "References"


def _is_latex(app):
    return app.builder is not None and app.builder.format == "latex"


def _one_citation_per_work(app, env):
    """Keep, for each cited key, the first chapter's citation (book order); drop the rest and
    the web bibliography page's own copies (its keys carry a prefix)."""
    if not _is_latex(app):
        return
    from sphinxcontrib.bibtex.domain import get_docnames

    domain = env.get_domain("cite")
    order = {name: i for i, name in enumerate(get_docnames(env))}
    kept, seen = [], set()
    for citation in sorted(domain.citations,
                           key=lambda c: order.get(c.bibliography_key.docname, len(order))):
        docname = citation.bibliography_key.docname
        if docname != BIBLIOGRAPHY_PAGE and citation.key not in seen:
            seen.add(citation.key)
            kept.append(citation)
    domain.citations[:] = kept


def _part_captions(srcdir):
    """(caption, first docname) of every part of _toc.yml."""
    toc = yaml.safe_load((Path(srcdir) / "_toc.yml").read_text(encoding="utf-8"))
    return [(part["caption"], part["chapters"][0]["file"]) for part in toc.get("parts", [])
            if part.get("chapters")]


def _start_of(tree, docname):
    return next((node for node in tree.findall(addnodes.start_of_file)
                 if node.get("docname") == docname), None)


class BookStructure(SphinxPostTransform):
    """The intro as one chapter, a page for each part, no empty chapter or section."""

    builders = ("latex",)
    default_priority = 800  # after Sphinx gathers the citations at the end (750)

    def run(self, **kwargs):
        root = next(iter(self.document.findall(nodes.section)), None)
        if root is None:
            return
        self._about(root)
        for caption, docname in _part_captions(self.env.srcdir):
            start = _start_of(self.document, docname)
            if start is not None:
                start.parent.insert(start.parent.index(start),
                                    nodes.raw("", self._part(caption), format="latex"))
        page = _start_of(self.document, BIBLIOGRAPHY_PAGE)
        if page is not None:
            page.parent.remove(page)
        for section in list(self.document.findall(nodes.section)):
            if (section[0].astext() == REFERENCES
                    and not "".join(child.astext() for child in section[1:]).strip()):
                section.parent.remove(section)
        for table in self.document.findall(nodes.table):
            _breakable(table)

    def _part(self, caption):
        """A part page: "Part I — One neuron" is numbered by LaTeX, "Back matter" is not."""
        if caption.startswith("Part ") and " — " in caption:
            return f"\\part{{{caption.split(' — ', 1)[1]}}}\n"
        return f"\\part*{{{caption}}}\\addcontentsline{{toc}}{{part}}{{{caption}}}\n"

    def _about(self, root):
        """Gather the intro's own text and sections (before the first chapter) into one
        chapter: everything between the book's title and the first included file."""
        first = next((i for i, child in enumerate(root.children)
                      if isinstance(child, addnodes.start_of_file)
                      or next(iter(child.findall(addnodes.start_of_file)), None) is not None),
                     len(root.children))
        about = nodes.section("", nodes.title("", ABOUT), ids=["about-this-book"])
        about.extend(root.children[1:first])
        del root.children[1:first]
        root.insert(1, about)


def _breakable(table):
    """Let a table break across pages, its columns wrapping, each as wide as its entries
    need on average (within limits), so that no row and no column falls off the page."""
    columns = list(table.findall(nodes.colspec))
    lengths = [[] for _ in columns]
    for row in table.findall(nodes.row):
        for i, entry in enumerate(row.children[:len(columns)]):
            lengths[i].append(len(entry.astext()))
    widths = [min(max(sum(column) // max(len(column), 1), 8), 150) for column in lengths]
    # A column of short entries (a title, a time) beside one of long ones still gets room
    # for a word: at least a seventh of the whole, or its words break letter by letter.
    floor = sum(widths) // 7
    for colspec, width in zip(columns, widths):
        colspec["colwidth"] = max(width, floor)
    table["classes"] += ["longtable", "colwidths-given"]


def _contents_page(app):
    """The contents page is headed "Contents" (Sphinx names it after the first part)."""
    if _is_latex(app):
        app.builder.get_contentsname = lambda indexfile: "Contents"


def setup(app):
    app.connect("builder-inited", _contents_page)
    app.connect("env-updated", _one_citation_per_work, priority=900)
    app.add_post_transform(BookStructure)
