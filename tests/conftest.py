"""Test settings shared by the whole suite, and the markers that let an author run the fast part.

- ``browser``: drives Chromium (the built site, the widgets in JupyterLab);
- ``slow``: builds the book, runs whole notebooks (nbval; the hand-out's chapters and exercise
  notebooks in a fresh environment of the students' requirements), re-runs a
  chapter's experiments to check its stored results (``test_chapterNN_results.py``), or builds
  the student edition and the hand-out.

``make unit`` runs what is neither (about a minute); ``make test`` runs everything.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

BROWSER_FILES = {"test_site.py", "test_lab_widgets.py"}
SLOW_FILES = {"test_book.py", "test_site.py", "test_lab_widgets.py", "test_student_edition.py",
              "test_nbgrader.py", "test_pdf.py"}
SLOW_TESTS = {"test_a_student_sets_it_up_from_the_readme_and_runs_the_exercises"}


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
    # The hand-out test is the longest single test: collected first, xdist starts it at once,
    # so it overlaps the rest instead of running alone at the end.
    items.sort(key=lambda item: Path(str(item.fspath)).name != "test_handout.py")


# --- Time: the suite's time by group, and each notebook's time budget -------------------------
# A notebook runs in under 60 s on a 2-core CPU; the experiment-heavy chapters get 120 s.
HEAVY_CHAPTERS = {"07", "08", "09", "10", "11", "13"}
_seconds = {"unit": 0.0, "notebooks": 0.0, "browser": 0.0, "book and editions": 0.0}
_notebook_seconds = {}


def budget(path):
    """Seconds a notebook may take, run top to bottom (CONVENTIONS.md)."""
    path = Path(path)
    return 120.0 if path.parent.name == "chapters" and path.name[:2] in HEAVY_CHAPTERS else 60.0


def _group(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb") or "runs_the_exercises" in report.nodeid:
        return "notebooks"
    if "browser" in report.keywords:
        return "browser"
    if "slow" in report.keywords:
        return "book and editions"
    return "unit"


def pytest_runtest_logreport(report):
    _seconds[_group(report)] += report.duration
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _notebook_seconds[path] = _notebook_seconds.get(path, 0.0) + report.duration


# The budgets are for a notebook run alone; the suite runs two at once on two cores (and the
# machine may be busier still), so it fails a notebook only past half as much again.
SUITE_SLACK = 1.5


def over_budget():
    return {path: seconds for path, seconds in _notebook_seconds.items()
            if seconds > SUITE_SLACK * budget(path)}


def pytest_terminal_summary(terminalreporter):
    if not any(_seconds.values()):
        return
    groups = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in _seconds.items() if seconds)
    terminalreporter.write_line(f"time by group (summed over workers): {groups}")
    if _notebook_seconds:
        slowest = max(_notebook_seconds, key=_notebook_seconds.get)
        terminalreporter.write_line(
            f"notebooks under nbval: {len(_notebook_seconds)}, slowest {slowest} "
            f"{_notebook_seconds[slowest]:.0f} s")
    for path, seconds in over_budget().items():
        terminalreporter.write_line(f"OVER BUDGET: {path} took {seconds:.0f} s under the suite; its "
                                    f"budget is {budget(path):.0f} s alone", red=True)


def pytest_sessionfinish(session, exitstatus):
    if over_budget() and exitstatus == 0:
        session.exitstatus = 1  # a notebook over its time budget fails the run
