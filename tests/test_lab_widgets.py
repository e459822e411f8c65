"""Every chapter's widgets, live in JupyterLab, driven in a real browser.

For each chapter with a widget cell (a code cell calling `*_widget(…)`), the test writes the
chapter's set-up cell and its widget cells into a notebook in a temporary folder (the rest of
the chapter is run by nbval already; a widget cell needs only the set-up's imports), starts
JupyterLab on loopback (no token, a fixed port, stopped by its PID), opens that notebook in headless
Chromium, waits for a connected idle kernel, runs all cells, then, for each widget, moves one
control and proves the widget's figure changed; where a widget has a start/play button it
presses it, proves the figure moves while training, counts how many new pictures it shows in
3 s (printed, with a floor), presses pause and proves it stops. It also proves that no two
controls of a widget overlap or touch on the page (a menu running into the next label).
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

from builtsite import CHROMIUM_FLAGS, chromium_or_skip
from notebooks import CHAPTERS, read

PORT = 18765
BASE = f"http://127.0.0.1:{PORT}"
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"  # the notebook on show
WIDGET_CALL = re.compile(r"^\s*\w+_widget\(", re.MULTILINE)


def widget_cells(path):
    """Indices of the cells of a notebook that show a widget."""
    return [i for i, cell in enumerate(read(path).cells)
            if cell.cell_type == "code" and WIDGET_CALL.search(cell.source)]


def widgets_only(chapter, target):
    """Write the chapter's set-up cell (the one calling set_seed) and its widget cells to `target`."""
    notebook = read(chapter)
    setup = next(c for c in notebook.cells if c.cell_type == "code" and "set_seed(" in c.source)
    notebook.cells = [setup] + [notebook.cells[i] for i in widget_cells(chapter)]
    for cell in notebook.cells:
        cell.outputs, cell.execution_count = [], None
    nbformat.write(notebook, target)


WIDGET_CHAPTERS = [path for path in CHAPTERS if widget_cells(path)]


def _api(path):
    with urllib.request.urlopen(BASE + path, timeout=5) as response:
        return json.loads(response.read())


def _wait(condition, timeout, what, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _port_free():
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", PORT))
        except OSError:
            return False
    return True


def _settings(folder):
    """User settings for a quiet, fully rendered JupyterLab: every cell in the page, no news."""
    overrides = {
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
    }
    for name, value in overrides.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on loopback serving a temporary folder; yields that folder."""
    if not WIDGET_CHAPTERS:
        pytest.skip("no chapter has a widget cell")
    chromium = chromium_or_skip()
    root = tmp_path_factory.mktemp("lab")
    work, state = root / "work", root / "state"
    (work / "chapters").mkdir(parents=True)
    _settings(state / "settings")
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(state / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"), "IPYTHONDIR": str(state / "ipython"),
           "JUPYTER_RUNTIME_DIR": str(state / "runtime"), "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={PORT}", "--ServerApp.port_retries=0", "--IdentityProvider.token=",
               "--ServerApp.password=", f"--ServerApp.root_dir={work}", "--LabApp.expose_app_in_browser=True",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--ServerApp.disable_check_xsrf=True"]  # lets the test end its kernels through the REST API
    _wait(_port_free, 300, f"port {PORT} to be free (is another JupyterLab test running?)", interval=1.0)
    log = open(root / "lab.log", "w")
    server = subprocess.Popen(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        def up():
            if server.poll() is not None:
                raise AssertionError(f"JupyterLab exited: {(root / 'lab.log').read_text()[-2000:]}")
            try:
                return _api("/api/status")
            except OSError:
                return None
        _wait(up, 90, "JupyterLab to answer on " + BASE)
        time.sleep(1.0)
        assert server.poll() is None, f"JupyterLab exited: {(root / 'lab.log').read_text()[-2000:]}"
        yield work, chromium
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        log.close()


SIGNATURE = """cell => {
  // The pixels of every picture in the cell's output (an <img> redrawn from the same data counts as unchanged).
  let text = '';
  for (const img of cell.querySelectorAll('.jp-OutputArea img')) {
    if (!img.complete || !img.naturalWidth) { continue; }
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    canvas.getContext('2d').drawImage(img, 0, 0);
    text += canvas.toDataURL();
  }
  for (const c of cell.querySelectorAll('.jp-OutputArea canvas')) { text += c.toDataURL(); }
  let hash = 0;
  for (let i = 0; i < text.length; i++) { hash = (hash * 31 + text.charCodeAt(i)) | 0; }
  return text.length ? `${text.length}:${hash}` : '';
}"""


COUNT_PICTURES = """async (cell, ms) => {
  // How many new pictures the cell's output shows in `ms` milliseconds: an <img> given a new
  // source (ipywidgets' Image sets one per frame) or a new <img>.
  const area = cell.querySelector('.jp-OutputArea');
  let count = 0;
  const observer = new MutationObserver(records => {
    for (const r of records) {
      if (r.type === 'attributes' && r.target.tagName === 'IMG') { count += 1; }
      for (const node of r.addedNodes || []) {
        if (node.tagName === 'IMG' || (node.querySelector && node.querySelector('img'))) { count += 1; }
      }
    }
  });
  observer.observe(area, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
  await new Promise(resolve => setTimeout(resolve, ms));
  observer.disconnect();
  return count;
}"""

OVERLAPS = """cell => {
  // Parts of the widget's controls (labels, menus, sliders, read-outs, buttons) that overlap
  // on the page; parts of two different controls side by side must not even touch (rows
  // stacked one above the other may).
  const selector = ['.widget-label', 'label', 'select', '.slider-container', '.widget-readout',
                    'button'].map(s => `.jp-OutputArea .jupyter-widgets ${s}`).join(', ');
  const parts = [...cell.querySelectorAll(selector)]
    .map(e => [e, e.getBoundingClientRect()])
    .filter(([e, r]) => r.width > 0 && r.height > 0);
  const control = e => e.closest('.widget-inline-hbox, .widget-button, .widget-toggle-button') || e;
  const name = e => (e.textContent.trim() || e.tagName).slice(0, 30);
  const found = [];
  for (let i = 0; i < parts.length; i++) {
    for (let j = i + 1; j < parts.length; j++) {
      const [a, ra] = parts[i], [b, rb] = parts[j];
      if (a.contains(b) || b.contains(a)) { continue; }
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      const apart = w < (control(a) === control(b) ? 0.5 : 0) || h <= 0;
      if (!apart) { found.push(`${name(a)} / ${name(b)}`); }
    }
  }
  return found;
}"""

# New pictures a second that a live widget must show while it trains. Measured in this test
# on the shared 2-core machine (load average about 5): the playground showed about 2.5 when it
# redrew its whole figure, 8.7 drawing only what changed (at most 10); the depth explorer
# (Chapter 7), which trains a deeper network each frame, 4.7. The floor is below both, so a
# slower machine does not fail the test, and above the old full-redraw rate.
LIVE_FRAMES_FLOOR = 3


def _stable_signature(cell, before=None, timeout=30, quiet=1.5):
    """The figure's signature once it differs from `before` and has not changed for `quiet` s."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        current = cell.evaluate(SIGNATURE)
        if current != last:
            last, since = current, time.monotonic()
        elif current and current != before and time.monotonic() - since >= quiet:
            return current
        time.sleep(0.2)
    raise AssertionError(f"the figure did not settle on a new picture within {timeout} s")


def _wait_for_kernel(name):
    def ready():
        sessions = [s for s in _api("/api/sessions") if s.get("path", "").endswith(name)]
        if not sessions:
            return None
        kernel = _api(f"/api/kernels/{sessions[0]['kernel']['id']}")
        return kernel.get("connections", 0) >= 1 and kernel.get("execution_state") == "idle"
    _wait(ready, 90, f"a connected, idle kernel for {name}")


def _shut_down(name):
    """End the chapter's kernel, so that the next chapter starts on a quiet machine."""
    for session in _api("/api/sessions"):
        if session.get("path", "").endswith(name):
            request = urllib.request.Request(f"{BASE}/api/sessions/{session['id']}", method="DELETE")
            urllib.request.urlopen(request, timeout=30).close()


def _run_all(page, timeout=180):
    # Not awaited: the wait below has the time limit.
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    done = """() => {
      const prompts = [...document.querySelectorAll('NOTEBOOK .jp-CodeCell .jp-InputPrompt')];
      return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
    }"""
    page.wait_for_function(done.replace("NOTEBOOK", NOTEBOOK), timeout=timeout * 1000, polling=500)
    errors = page.evaluate("""() => [...document.querySelectorAll('NOTEBOOK .jp-OutputArea-output')]
        .filter(o => (o.getAttribute('data-mime-type') || '').includes('error'))
        .map(o => o.textContent.slice(0, 300))""".replace("NOTEBOOK", NOTEBOOK))
    assert not errors, "cells raised errors in JupyterLab:\n" + "\n".join(errors)


def _buttons(cell, words):
    pattern = re.compile("|".join(words), re.IGNORECASE)
    return [b for b in cell.query_selector_all(".jupyter-widgets button") if pattern.search(b.inner_text())]


def _move_one_control(page, cell):
    """Move the widget's first slider one step with the keyboard (or pick another menu entry)."""
    handle = cell.query_selector(".widget-slider .noUi-handle")
    if handle is not None:
        handle.focus()
        page.keyboard.press("ArrowRight")
        return "slider"
    select = cell.query_selector(".jupyter-widgets select")
    assert select is not None, "the widget has neither a slider nor a menu to move"
    options = select.evaluate("s => [...s.options].map(o => o.value)")
    current = select.evaluate("s => s.value")
    select.select_option(next(o for o in options if o != current))
    return "menu"


def _play_and_pause(cell):
    start = _buttons(cell, ["start", "play"])
    if not start:
        return False
    before = cell.evaluate(SIGNATURE)
    start[0].click()
    _wait(lambda: cell.evaluate(SIGNATURE) != before, 30, "the figure to move after pressing start/play")
    time.sleep(0.5)
    pictures = cell.evaluate(COUNT_PICTURES, 3000)
    print(f"while training: {pictures} new pictures in 3 s, {pictures / 3:.1f} a second")
    assert pictures / 3 >= LIVE_FRAMES_FLOOR, \
        f"{pictures / 3:.1f} pictures a second while training: fewer than {LIVE_FRAMES_FLOOR}"
    pause = _wait(lambda: _buttons(cell, ["pause"]), 10, "a pause button while training")
    pause[0].click()
    _wait(lambda: _buttons(cell, ["start", "play"]), 15, "the start/play button to come back after pause")
    frozen = _stable_signature(cell, before=None, timeout=20)
    time.sleep(1.5)
    assert cell.evaluate(SIGNATURE) == frozen, "the figure still changes after pressing pause"
    return True


@pytest.mark.parametrize("chapter", WIDGET_CHAPTERS, ids=[p.name for p in WIDGET_CHAPTERS])
def test_widgets_are_live_in_jupyterlab(lab, chapter):
    from playwright.sync_api import sync_playwright

    work, chromium = lab
    copy = work / "chapters" / chapter.name
    widgets_only(chapter, copy)
    cells = widget_cells(copy)  # from the copy: the tracked chapter may change meanwhile
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            # ?reset: a fresh workspace, with only this notebook open.
            page.goto(f"{BASE}/lab/tree/chapters/{chapter.name}?reset", timeout=60_000)
            page.wait_for_function(f"window.jupyterapp && document.querySelector('{NOTEBOOK} .jp-Cell')",
                                   timeout=60_000)
            _wait_for_kernel(chapter.name)
            _run_all(page)
            for index in cells:
                cell = page.query_selector(f'{NOTEBOOK} .jp-Cell[data-windowed-list-index="{index}"]')
                assert cell is not None, f"cell {index} is not in the page"
                assert WIDGET_CALL.search(cell.query_selector(".jp-InputArea").inner_text()), \
                    f"cell {index} in JupyterLab is not the widget cell"
                cell.scroll_into_view_if_needed()
                page.wait_for_function("c => c.querySelector('.jupyter-widgets')", arg=cell, timeout=30_000)
                before = _stable_signature(cell, before=None)
                overlaps = cell.evaluate(OVERLAPS)
                assert not overlaps, f"cell {index}: controls overlap or touch: {overlaps}"
                moved = _move_one_control(page, cell)
                try:
                    _stable_signature(cell, before=before, timeout=20)
                except AssertionError:
                    if moved != "slider":
                        raise
                    # A slider already at its maximum: move it down instead.
                    page.keyboard.press("ArrowLeft")
                    page.keyboard.press("ArrowLeft")
                    _stable_signature(cell, before=before)
                played = _play_and_pause(cell)
                print(f"{chapter.name}, cell {index}: moved a {moved}, figure changed;"
                      f" {'pressed play and pause' if played else 'no play button'}")
            _shut_down(chapter.name)
        finally:
            browser.close()
