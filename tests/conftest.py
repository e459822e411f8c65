"""Test settings shared by the whole suite, and the markers that let an author run the fast part.

- ``browser``: drives Chromium (the built site, the widgets in JupyterLab);
- ``slow``: builds the book, runs whole notebooks (nbval, the exercise notebooks), re-runs a
  chapter's experiments to check its stored results (``test_chapterNN_results.py``), or builds
  the student edition and the hand-out.

``make unit`` runs what is neither (under a minute); ``make test`` runs everything.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

BROWSER_FILES = {"test_site.py", "test_lab_widgets.py"}
SLOW_FILES = {"test_book.py", "test_site.py", "test_lab_widgets.py", "test_student_edition.py"}
SLOW_TESTS = {"test_exercise_notebook_runs_and_says_not_done"}


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real browser (Chromium)")
    config.addinivalue_line("markers", "slow: builds the book or runs whole notebooks")


def pytest_collection_modifyitems(config, items):
    for item in items:
        name = Path(str(item.fspath)).name
        if name in BROWSER_FILES:
            item.add_marker(pytest.mark.browser)
        if (name in SLOW_FILES or name.endswith(".ipynb") or name.endswith("_results.py")
                or getattr(item, "originalname", item.name) in SLOW_TESTS):
            item.add_marker(pytest.mark.slow)
