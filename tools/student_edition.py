"""Build the student edition of the book: the same book without the solutions.

The student edition leaves out the solution notebooks (solutions/) and the instructor guide,
and drops from the chapters the lines that link to a solution notebook. It is built from a
copy of the book's sources, with the same strictness as the full book (-W -n), into
_build/student/html (or the folder given).

Usage: python tools/student_edition.py [OUTPUT_FOLDER] [--pdf]
(--pdf: the student PDF, OUTPUT_FOLDER/book-student.pdf, with XeLaTeX; see `make student-pdf`)
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
LEFT_OUT = ("solutions/", "backmatter/instructor")
SOLUTION_LINK = re.compile(r"\]\((\.\./)?solutions/[^)]*\)")
# intro.md marks what only the full book says (to readers, authors and instructors) and what
# only the student edition says (to students), so that each speaks to its own reader.
FULL_ONLY = re.compile(r"<!-- full book only -->.*?<!-- end full book only -->\n?", re.DOTALL)
STUDENT_ONLY = re.compile(r"<!-- student edition only\n(.*?)-->\n?", re.DOTALL)
NOT_SOURCES = {".git", ".venv", "_build", "dist", "node_modules", "solutions", "__pycache__", ".ipynb_checkpoints"}


def student_toc(toc):
    """The table of contents (a jb-book dict) without solution pages and the instructor guide."""
    def keep(entries):
        kept = []
        for entry in entries:
            if any(str(entry.get("file", "")).startswith(prefix) for prefix in LEFT_OUT):
                continue
            entry = dict(entry)
            for key in ("sections", "chapters"):
                if key in entry:
                    entry[key] = keep(entry[key])
                    if not entry[key]:
                        del entry[key]
            kept.append(entry)
        return kept

    toc = dict(toc)
    if "parts" in toc:
        toc["parts"] = [dict(part, caption=student_caption(part.get("caption", "")),
                             chapters=keep(part.get("chapters", []))) for part in toc["parts"]]
        toc["parts"] = [part for part in toc["parts"] if part["chapters"]]
    for key in ("chapters", "sections"):
        if key in toc:
            toc[key] = keep(toc[key])
    return toc


def student_caption(caption):
    """A part's caption in the student edition: its solutions are left out."""
    return caption.replace("Exercises and solutions", "Exercises")


def student_intro(text):
    """intro.md for students: the full book's passages left out, the students' put in."""
    return STUDENT_ONLY.sub(lambda m: m.group(1), FULL_ONLY.sub("", text))


def drop_solution_links(notebook_path):
    """Remove, from the markdown cells of a notebook, each line that links to a solution notebook."""
    notebook = nbformat.read(str(notebook_path), as_version=4)
    changed = False
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and SOLUTION_LINK.search(cell.source):
            cell.source = "\n".join(line for line in cell.source.splitlines() if not SOLUTION_LINK.search(line))
            changed = True
    if changed:
        nbformat.write(notebook, str(notebook_path))


def copy_sources(target):
    """Copy the book's sources (not the solutions) into `target`, ready to build."""
    ignore = shutil.ignore_patterns(*NOT_SOURCES)
    for item in ROOT.iterdir():
        if item.name in NOT_SOURCES:
            continue
        if item.is_dir():
            shutil.copytree(item, target / item.name, ignore=ignore)
        else:
            shutil.copy2(item, target / item.name)
    mathjax = ROOT / "node_modules" / "mathjax"
    if not mathjax.is_dir():
        raise SystemExit("node_modules/mathjax is missing: run `npm ci` (or `make book`) first")
    shutil.copytree(mathjax, target / "node_modules" / "mathjax")
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    (target / "_toc.yml").write_text(yaml.safe_dump(student_toc(toc), sort_keys=False, allow_unicode=True),
                                     encoding="utf-8")
    for notebook in (target / "chapters").glob("*.ipynb"):
        drop_solution_links(notebook)
    intro = target / "intro.md"
    intro.write_text(student_intro(intro.read_text(encoding="utf-8")), encoding="utf-8")


def build(output, pdf=False):
    """Build the student edition into `output`/html (or, with `pdf`, `output`/book-student.pdf);
    raise SystemExit with the log on any warning (the PDF: on a failed LaTeX run)."""
    output = Path(output).resolve()
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    with tempfile.TemporaryDirectory(prefix="student-edition-") as folder:
        source, build_dir = Path(folder) / "book", Path(folder) / "out"
        source.mkdir()
        copy_sources(source)
        command = [str(jupyter_book if jupyter_book.exists() else shutil.which("jupyter-book")), "build",
                   str(source), "--path-output", str(build_dir)]
        command += ["--builder", "pdflatex"] if pdf else ["-W", "-n", "--keep-going"]
        result = subprocess.run(command, capture_output=True, text=True)
        log = result.stdout + result.stderr
        warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
        if result.returncode != 0 or (warnings and not pdf):
            raise SystemExit("the student edition did not build cleanly:\n" + ("\n".join(warnings) or log[-3000:]))
        output.mkdir(parents=True, exist_ok=True)
        if pdf:
            shutil.copy2(build_dir / "_build" / "latex" / "book.pdf", output / "book-student.pdf")
            return output / "book-student.pdf"
        shutil.rmtree(output / "html", ignore_errors=True)
        shutil.copytree(build_dir / "_build" / "html", output / "html")
    return output / "html"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", nargs="?", default=str(ROOT / "_build" / "student"))
    parser.add_argument("--pdf", action="store_true", help="build the student PDF instead of the HTML")
    arguments = parser.parse_args()
    built = build(arguments.output, pdf=arguments.pdf)
    print(f"Student edition: {built if arguments.pdf else 'file://' + str(built / 'index.html')}")


if __name__ == "__main__":
    main()
