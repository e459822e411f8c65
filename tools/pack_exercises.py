"""Pack the exercise notebooks and the course's package into one archive to hand out.

The archive (dist/nnbook-exercises.zip unless another path is given) holds one folder, a
complete student kit: the chapters (with their outputs; lines linking to solutions dropped),
exercises/*.ipynb, the package nnbook/ (its checks included), pyproject.toml, the students'
requirements (requirements-student.txt, as requirements.txt: what the notebooks import, no
book-building or test tools), the licences and a README.md that tells students how to set it
up on Linux, macOS and Windows. It holds no solution notebook.

Usage: python tools/pack_exercises.py [ARCHIVE.zip]
"""

import argparse
import tomllib
import zipfile
from pathlib import Path

import nbformat

from student_edition import SOLUTION_LINK

ROOT = Path(__file__).resolve().parent.parent
FOLDER = "nnbook-exercises"
README = """# From a single neuron to deep learning on GPUs: the course folder

Version {version} of the course (its `nnbook.__version__`); your instructor may keep to one
version for the whole semester. This folder holds what you need to work through the course on your own computer:

- `chapters/`: the reading chapters, as notebooks with their outputs; run them, change them;
- `exercises/`: one exercise notebook per chapter, each exercise followed by a check;
- `nnbook/`: the course's small helper package, which the notebooks import;
- `backmatter/`: the maths refresher and the glossary the chapters refer to.

You need Python 3.10 or newer (python.org, or your system's Python) and about 2 GB of disk
space; no GPU. Set up once, in this folder, then open JupyterLab.

Linux and macOS (a terminal):

```bash
python3 -m venv .venv
.venv/bin/pip install -r requirements.txt
.venv/bin/jupyter lab
```

Windows (PowerShell; `py` is the Python launcher that python.org's installer sets up):

```
py -m venv .venv
.venv\\Scripts\\pip install -r requirements.txt
.venv\\Scripts\\jupyter lab
```

Later, only the last line: it opens JupyterLab in your browser, with this folder on the left.

**PyTorch.** On Linux, pip installs PyTorch with NVIDIA's GPU libraries (several GB). Without an
NVIDIA GPU, install the small CPU-only build first, then the rest:
`.venv/bin/pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu`.
On macOS and Windows the default build is right (on a Mac it uses the Apple GPU). With an
NVIDIA GPU, install the build for your CUDA version from https://pytorch.org/get-started/
before the requirements. Everything runs on a CPU; where a chapter finds a GPU, it says so.

**Exercises.** Run each exercise's check cell after you answer: it prints ✔ and what is right,
or ✘ and what is wrong (an exercise you have not done yet says "✘ not done yet", and the
notebook still runs to the end). The checks are there to help you, not to grade you. The
package holds reference implementations of what the chapters build: reading them before
trying spoils the exercise.

Nothing is downloaded while the notebooks run: every data set is generated on your computer
or ships with a Python package.

## Licence

The notebooks' text and figures are licensed under CC BY 4.0 (`LICENSE-CONTENT.md`), the
code (the package `nnbook` and the code cells) under the MIT licence (`LICENSE`). Credit:
*From a single neuron to deep learning on GPUs*, by the nnbook course authors, CC BY 4.0.
"""
# The commands the README gives for Linux and macOS (tests/test_handout.py runs them).
SETUP_COMMANDS = ("python3 -m venv .venv", ".venv/bin/pip install -r requirements.txt")


def version():
    """The course's release, from pyproject.toml."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def _files():
    """(path in the archive, path on disk) for every file to pack as it is."""
    yield from ((f"exercises/{p.name}", p) for p in sorted((ROOT / "exercises").glob("*.ipynb")))
    for path in sorted((ROOT / "nnbook").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path.relative_to(ROOT).as_posix(), path
    for name in ("pyproject.toml", "LICENSE", "LICENSE-CONTENT.md",
                 "backmatter/maths.md", "backmatter/glossary.md"):
        yield name, ROOT / name


def _chapter(path):
    """A chapter notebook for students: the lines that link to a solution notebook dropped."""
    notebook = nbformat.read(str(path), as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and SOLUTION_LINK.search(cell.source):
            cell.source = "\n".join(line for line in cell.source.splitlines()
                                    if not SOLUTION_LINK.search(line))
    return nbformat.writes(notebook) + "\n"


def pack(archive):
    """Write the archive and return its path."""
    archive = Path(archive)
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(f"{FOLDER}/README.md", README.format(version=version()))
        bundle.write(ROOT / "requirements-student.txt", f"{FOLDER}/requirements.txt")
        for path in sorted((ROOT / "chapters").glob("*.ipynb")):
            bundle.writestr(f"{FOLDER}/chapters/{path.name}", _chapter(path))
        for name, path in _files():
            bundle.write(path, f"{FOLDER}/{name}")
    return archive


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("archive", nargs="?", default=str(ROOT / "dist" / "nnbook-exercises.zip"))
    archive = pack(parser.parse_args().archive)
    print(f"Packed {archive}")


if __name__ == "__main__":
    main()
