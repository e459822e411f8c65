"""The book builds with Sphinx's nitpicky mode and warnings as errors: zero warnings."""

import shutil
import subprocess
import sys
from pathlib import Path

from notebooks import ROOT


def test_book_builds_without_warnings(tmp_path):
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    command = [str(jupyter_book if jupyter_book.exists() else shutil.which("jupyter-book")),
               "build", str(ROOT), "--path-output", str(tmp_path), "-W", "-n", "--keep-going"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    log = result.stdout + result.stderr
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert result.returncode == 0 and not warnings, "\n".join(warnings) or log[-3000:]
    html = tmp_path / "_build" / "html"
    for page in ("intro.html", "chapters/01_neuron.html", "exercises/01_neuron.html", "solutions/01_neuron.html"):
        assert (html / page).exists(), f"{page} missing from the build"
    chapter = (html / "chapters/01_neuron.html").read_text(encoding="utf-8")
    assert "McCulloch" in chapter and 'alt="Eight small line plots' in chapter
    assert "99.5" in chapter, "a glued number did not reach the page"
