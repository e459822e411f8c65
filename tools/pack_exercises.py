"""Pack the exercise notebooks and the course's package into one archive to hand out.

The archive (dist/nnbook-exercises.zip unless another path is given) holds one folder with
exercises/*.ipynb, the package nnbook/ (its checks included), pyproject.toml, requirements.txt,
the licences and a README.md that tells students how to set it up. It holds no solution notebook.

Usage: python tools/pack_exercises.py [ARCHIVE.zip]
"""

import argparse
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = "nnbook-exercises"
README = """# Exercises: From a single neuron to deep learning on GPUs

This folder holds the course's exercise notebooks (`exercises/`) and its helper package
`nnbook`, which the notebooks import. You need Python 3.10 or newer; no GPU.

Set up once, then open the exercises in JupyterLab:

```bash
python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
.venv/bin/jupyter lab exercises
```

Run each exercise's check cell after you answer: it prints ✔ and what is right, or ✘ and
what is wrong. The checks are there to help you, not to grade you, and the package holds
reference implementations of what the chapters build: reading them before trying spoils
the exercise.

## Licence

The notebooks' text and figures are licensed under CC BY 4.0 (`LICENSE-CONTENT.md`), the
code (the package `nnbook` and the code cells) under the MIT licence (`LICENSE`). Credit:
*From a single neuron to deep learning on GPUs*, by the nnbook course authors, CC BY 4.0.
"""


def _files():
    """(path in the archive, path on disk) for every file to pack."""
    yield from ((f"exercises/{p.name}", p) for p in sorted((ROOT / "exercises").glob("*.ipynb")))
    for path in sorted((ROOT / "nnbook").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path.relative_to(ROOT).as_posix(), path
    for name in ("pyproject.toml", "requirements.txt", "LICENSE", "LICENSE-CONTENT.md"):
        yield name, ROOT / name


def pack(archive):
    """Write the archive and return its path."""
    archive = Path(archive)
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(f"{FOLDER}/README.md", README)
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
