"""The book is open, and says under which terms everywhere a reader meets it.

Prose and figures: CC BY 4.0 (LICENSE-CONTENT.md); code: MIT (LICENSE). The repository,
the README, the book's own pages (intro and the footer of every page) and the package's
metadata name them; the hand-out carries both files (tests/test_student_edition.py).
"""

import tomllib

from notebooks import ROOT

CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def _text(name):
    return (ROOT / name).read_text(encoding="utf-8")


def test_licence_files_state_both_licences():
    code, content = _text("LICENSE"), _text("LICENSE-CONTENT.md")
    assert code.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in code
    assert "CC BY 4.0" in content and CC_BY + "legalcode" in content
    assert "How to attribute" in content


def test_readme_intro_and_footer_name_the_licences():
    for name in ("README.md", "intro.md"):
        text = _text(name)
        assert "CC BY 4.0" in text and "MIT" in text, name
    footer = _text("_config.yml").split("extra_footer:")[1].split("\n\n")[0]
    assert CC_BY in footer and "MIT" in footer


def test_the_package_declares_its_licence():
    project = tomllib.loads(_text("pyproject.toml"))["project"]
    assert project["license"] == "MIT"  # an SPDX expression (PEP 639)
