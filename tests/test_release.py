"""One version of the course, the same everywhere an instructor or a student reads it."""

import re
import sys
import tomllib
import zipfile

import yaml

import nnbook
from notebooks import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import pack_exercises  # noqa: E402


def _version():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_package_book_changelog_and_citation_agree():
    version = _version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert nnbook.__version__ == version
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["parse"]["myst_substitutions"]["version"] == version
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.findall(r"^## (\S+)", changelog, re.MULTILINE)[0] == version, \
        "the newest CHANGELOG entry is not this version"
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == version and "CC-BY-4.0" in citation["license"]
    assert "{{ version }}" in (ROOT / "intro.md").read_text(encoding="utf-8")


def test_the_handout_names_its_version(tmp_path):
    with zipfile.ZipFile(pack_exercises.pack(tmp_path / "h.zip")) as bundle:
        readme = bundle.read(f"{pack_exercises.FOLDER}/README.md").decode()
    assert f"Version {_version()} of the course" in readme
