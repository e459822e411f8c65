"""Helpers for the tests of the built site: building it, reading its HTML, finding a browser."""

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from notebooks import ROOT

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def jupyter_book():
    candidate = Path(sys.executable).parent / "jupyter-book"
    return str(candidate if candidate.exists() else shutil.which("jupyter-book"))


def build_book(out, toc=None, source=ROOT):
    """Build the HTML book from `source` into `out` (-W -n); return the html folder."""
    shutil.rmtree(out, ignore_errors=True)
    command = [jupyter_book(), "build", str(source), "--path-output", str(out), "-W", "-n", "--keep-going"]
    if toc is not None:
        command += ["--toc", str(toc)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    log = result.stdout + result.stderr
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert result.returncode == 0 and not warnings, "\n".join(warnings) or log[-3000:]
    return Path(out) / "_build" / "html"


def pages(html):
    """Every HTML page of a build (not the theme's or MathJax's assets, nor the redirecting index.html)."""
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts
                  and not p.read_text(encoding="utf-8").startswith('<meta http-equiv="Refresh"'))


def is_external(url):
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") or url.startswith("//")


def is_third_party(url):
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about", "chrome-error"):
        return False
    return bool(parts.hostname) and parts.hostname not in LOCAL_HOSTS


class Page(HTMLParser):
    """What the tests need from one HTML page: ids, references, images, headings of the article."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, path):
        super().__init__(convert_charrefs=True)
        self.ids, self.references, self.images, self.headings = set(), [], [], []
        self._depth, self._article = 0, None  # depth of the open <article class="bd-article">
        self.feed(Path(path).read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            if attrs.get(key):
                self.references.append((tag, key, attrs[key], attrs))
        if tag == "img":
            self.images.append(attrs)
        if tag in self.VOID:
            return
        self._depth += 1
        if tag == "article" and "bd-article" in (attrs.get("class") or "").split():
            self._article = self._depth
        if self._article is not None and tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.headings.append(int(tag[1]))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if tag == "article" and self._depth == self._article:
            self._article = None
        self._depth -= 1


def chromium_or_skip():
    """The path of a Chromium to drive; skip (or fail under CI) when there is none."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    reason = None
    if not Path(path).exists():
        reason = "no Chromium browser on this machine (install Debian's package `chromium`)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the Python package playwright is not installed (it is in requirements.txt)"
    if reason is None:
        return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"under CI the browser tests must run, but: {reason}")
    pytest.skip(reason)
