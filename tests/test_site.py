"""The built book as its readers get it: self-contained, every link, figure and formula in place.

One build of the whole book (into a temporary folder) serves every test in this file.
The browser test opens every page in headless Chromium from the files themselves (as a reader
offline would) and saves a screenshot of each under _build/screenshots/ for a person to look at.
"""

import re
import sys
from urllib.parse import unquote, urlsplit

import pytest

from builtsite import CHROMIUM_FLAGS, Page, build_book, chromium_or_skip, is_external, is_third_party, pages
from notebooks import ROOT

sys.path.insert(0, str(ROOT / "tools"))
from book_extension import chapter_summary, cited_keys  # noqa: E402

SHOTS = ROOT / "_build" / "screenshots"
REQUESTING_TAGS = {"script", "img", "iframe", "source", "video", "audio", "embed", "link"}
LINK_RELS_FETCHED = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "manifest", "prefetch"}
RAW_MATHS = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\$[^$\n]*[\\^_{}][^$\n]*\$"
                       r"|\\(?:frac|sum|sigma|mathbf|partial|cdot|leftarrow|sqrt|begin)\b")
NOT_CONTENT_PAGES = {"search.html"}  # a search form: nothing to read until a query is typed


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_book(tmp_path_factory.mktemp("site"))


def _fetched(tag, attrs):
    if tag == "a":
        return False
    if tag == "link":
        return bool(set((attrs.get("rel") or "").lower().split()) & LINK_RELS_FETCHED)
    return tag in REQUESTING_TAGS


def test_no_asset_comes_from_a_third_party_host(site):
    offenders = []
    for page in pages(site):
        for tag, key, url, attrs in Page(page).references:
            if _fetched(tag, attrs) and is_third_party(url):
                offenders.append(f"{page.relative_to(site)}: <{tag} {key}={url}>")
    for css in (site / "_static").rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^'\")]+)", css.read_text(encoding="utf-8", errors="replace")):
            offenders.append(f"{css.relative_to(site)}: url({url})")
    assert not offenders, "assets from third-party hosts:\n" + "\n".join(offenders)
    assert (site / "_static" / "tex-mml-chtml.js").exists(), "MathJax is not served by the site"


def _target(page, url, site):
    parts = urlsplit(url)
    path = unquote(parts.path)
    target = page if not path else (page.parent / path).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def test_every_internal_link_resolves(site):
    ids, broken, checked = {}, [], 0
    for page in pages(site):
        for tag, key, url, attrs in Page(page).references:
            if is_external(url) or urlsplit(url).scheme or url.startswith("#") and len(url) == 1:
                continue
            target, fragment = _target(page, url, site)
            checked += 1
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {url} (no such file)")
            elif fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = Page(target).ids
                if fragment not in ids[target]:
                    broken.append(f"{page.relative_to(site)}: {url} (no id '{fragment}' in {target.name})")
    assert checked > 100, f"only {checked} internal links found: is the build complete?"
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken)


def test_every_image_has_alt_text(site):
    missing = [f"{page.relative_to(site)}: {img.get('src', '')[:80]}"
               for page in pages(site) for img in Page(page).images if not (img.get("alt") or "").strip()]
    assert not missing, "images without alt text:\n" + "\n".join(missing)


def test_headings_form_an_outline(site):
    problems = []
    for page in pages(site):
        levels = Page(page).headings
        name = page.relative_to(site)
        if name.as_posix() in NOT_CONTENT_PAGES:
            continue
        if not levels or levels[0] != 1 or levels.count(1) != 1:
            problems.append(f"{name}: needs exactly one h1, first (got {levels[:6]})")
        problems += [f"{name}: h{a} followed by h{b}" for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert not problems, "\n".join(problems)


def test_every_notebook_page_has_a_download_button(site):
    notebooks = sorted(p for p in (site / "_sources").rglob("*.ipynb"))
    assert notebooks, "no notebook sources in the build"
    for source in notebooks:
        relative = source.relative_to(site / "_sources").with_suffix(".html")
        html = (site / relative).read_text(encoding="utf-8")
        assert "download-source-button" in html and f"_sources/{relative.with_suffix('.ipynb').as_posix()}" in html, \
            f"{relative}: no download button for its notebook"


def test_every_page_names_the_licences(site):
    unlicensed = [str(page.relative_to(site)) for page in pages(site)
                  if page.name not in NOT_CONTENT_PAGES
                  and "creativecommons.org/licenses/by/4.0/" not in page.read_text(encoding="utf-8")]
    assert not unlicensed, "pages without the licence in their footer: " + ", ".join(unlicensed)


def test_glossary_and_bibliography(site):
    glossary = (site / "backmatter" / "glossary.html").read_text(encoding="utf-8")
    terms = re.findall(r'<dt id="term-', glossary)
    assert len(terms) >= 40, f"the glossary has {len(terms)} terms, fewer than 40"
    bibliography = (site / "backmatter" / "bibliography.html").read_text(encoding="utf-8")
    entries = bibliography.count('<div class="citation"')
    cited = cited_keys(ROOT)
    assert entries == len(cited), (f"the bibliography page lists {entries} works; the book cites "
                                   f"{len(cited)}: it must list exactly the cited ones")


def test_instructor_table_is_generated_from_the_chapters(site):
    html = (site / "backmatter" / "instructor.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    chapters = sorted(p for p in (site / "chapters").glob("*.html"))
    assert chapters
    for page in chapters:
        summary = chapter_summary(ROOT / "chapters" / page.with_suffix(".ipynb").name)
        assert summary["title"] in text.replace("’", "'") or summary["title"].replace("'", "’") in text
        assert f"{summary['minutes']} min" in text
        assert len(summary["objectives"]) >= 3


BROWSER_CHECKS = """() => Promise.race([new Promise(r => setTimeout(() => r(null), 30000)), (async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const images = [...document.images];
  await Promise.all(images.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })));
  const article = document.querySelector('article.bd-article') || document.body;
  const clone = article.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, .math, .cell_output, .headerlink')
       .forEach(e => e.remove());
  const right = article.getBoundingClientRect().right + 1;
  const longest = e => e.textContent.split('\\n').reduce((a, l) => l.length > a.length ? l : a, '');
  const cut = [...article.querySelectorAll('pre')].filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => 'code or output line: ' + longest(e).slice(0, 70));
  const wide = [...article.querySelectorAll('mjx-container[display="true"]')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > right)
    .map(e => 'display maths: ' + e.textContent.slice(0, 50));
  return {
    cut: cut.concat(wide),
    broken: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src')),
    untypeset: [...document.querySelectorAll('.math')].filter(m => !m.querySelector('mjx-container'))
                 .map(m => m.textContent.slice(0, 60)),
    typeset: document.querySelectorAll('mjx-container').length,
    text: clone.textContent.replace(/\\s+/g, ' ').trim(),
  };
})()])"""


def test_every_page_in_a_real_browser(site):
    chromium = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink(missing_ok=True)
    failures, third_party, typeset = [], [], 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            for path in pages(site):
                name = path.relative_to(site).as_posix()
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                errors = []
                page.on("pageerror", lambda error, errors=errors: errors.append(f"uncaught: {error}"))
                page.on("console", lambda m, errors=errors: errors.append(f"console: {m.text}") if m.type == "error" else None)
                page.on("request", lambda r, name=name: third_party.append(f"{name}: {r.url}") if is_third_party(r.url) else None)
                page.goto(path.as_uri(), wait_until="load", timeout=30_000)
                found = page.evaluate(BROWSER_CHECKS)
                if found is None:
                    failures.append(f"{name}: maths or images still loading after 30 s")
                    page.close()
                    continue
                page.screenshot(path=str(SHOTS / (name.replace("/", "__").removesuffix(".html") + ".png")), full_page=True)
                page.close()
                typeset += found["typeset"]
                failures += [f"{name}: missing image {src}" for src in found["broken"]]
                failures += [f"{name}: maths not typeset: {m}" for m in found["untypeset"]]
                failures += [f"{name}: cut off at the right edge at 1280 px: {c}" for c in found["cut"]]
                failures += [f"{name}: raw maths in the text: …{found['text'][max(0, m.start() - 30):m.end() + 30]}…"
                             for m in RAW_MATHS.finditer(found["text"])]
                failures += [f"{name}: {error}" for error in errors]
                if name not in NOT_CONTENT_PAGES and len(found["text"]) < 200:
                    failures.append(f"{name}: renders (nearly) empty: {found['text'][:100]!r}")
        finally:
            browser.close()
    print(f"browser: {len(pages(site))} pages, {typeset} formulas typeset, "
          f"{len(third_party)} requests to third-party hosts, screenshots in {SHOTS}")
    assert not third_party, f"{len(third_party)} requests to third-party hosts:\n" + "\n".join(third_party)
    assert typeset > 50, f"only {typeset} formulas typeset in the whole book"
    assert not failures, "\n".join(failures)


def test_the_raw_maths_pattern_catches_untypeset_formulas():
    assert RAW_MATHS.search(r"the weight \(w_1\) counts")
    assert RAW_MATHS.search("the weighted sum $z = w_1 x_1$ of")
    assert RAW_MATHS.search(r"a \frac{1}{2} left over")
    assert not RAW_MATHS.search("a run costs $5 and a GPU hour $2.")
