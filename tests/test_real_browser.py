"""The course in a real browser: Debian's chromium, driven by Selenium, against JupyterLab started
with the same configuration as ``make lab``, and the decks and site that ``make slides`` and
``make site`` built (``make test`` builds them before the unit tests).

What a learner or an instructor would see: notebooks 02 and 03 run in JupyterLab, their widgets
render (never "Error displaying widget"), a slider moves and the picture changes; the same
widgets render in the RISE slideshow; a deck and the site's index open from disk with no request
leaving the machine. The browser's own console errors fail a test (a short list of RISE's own,
each with its reason, is tolerated in the slideshow). Widgets are found by their classes, not by
cell numbers, so the notebooks' text can change.

The self-study site at a phone's width (390 px) and a desktop's: the sidebar opens and folds
away, the search finds pages, each notebook's page offers a Binder launch and a download of the
notebook; no slide of any deck is cut off; axe-core (from the npm registry, pinned in
``publish.ASSETS``) finds no serious or critical accessibility problem on the site's pages and
two decks. Every wait is for something the page states (a class, an element, a summary), with a
deadline, so a busy machine only makes the tests slower.

Skipped with the reason when chromium, chromedriver or Selenium is missing; under
``WORKSHOP_REQUIRE_TOOLS=1`` (``.ci/run``, which installs them) that fails instead.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import (
    _unavailable,
    browser_requests,
    console_errors,
    free_port,
    headless_chromium,
    wait_until,
)

from tooling import publish

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def chrome():
    """A headless chromium with its console and network logs; quit (chromedriver stopped)
    afterwards."""
    with headless_chromium("--disable-gpu") as driver:   # leaving the block quits it
        yield driver


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab as ``make lab`` starts it (binder/jupyter_server_config.py), on a copy of the
    notebooks (so that nothing is saved into the work tree), 127.0.0.1 only; stopped by its pid.
    ``expose_app_in_browser`` lets the test call JupyterLab's own commands (Run All)."""
    folder = tmp_path_factory.mktemp("lab") / "notebooks"
    shutil.copytree(ROOT / "notebooks", folder, ignore=shutil.ignore_patterns("scratch", ".*"))
    port, token = free_port(), secrets.token_hex(16)
    log = (folder.parent / "lab.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab",
         f"--config={ROOT / 'binder' / 'jupyter_server_config.py'}", "--allow-root",
         "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0",
         "--LabApp.expose_app_in_browser=True",
         # Its own workspace and settings folders: two test runs on one machine (or a learner's
         # lab) would otherwise write the same ~/.jupyter/lab/workspaces file at once, and a read
         # of the half-written file answers 500 on /lab/api/workspaces.
         f"--LabApp.workspaces_dir={folder.parent / 'workspaces'}",
         f"--LabApp.user_settings_dir={folder.parent / 'settings'}", str(folder)],
        # The token in the environment, not on the command line that every user can read.
        cwd=folder, env={**os.environ, "JUPYTER_TOKEN": token}, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("JupyterLab stopped: " + (folder.parent / "lab.log").read_text())
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer within 2 minutes")
        yield type("Lab", (), {"base": base, "token": token, "folder": folder})
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# ----------------------------------------------------------------------------- helpers

_KERNEL = """const w = window.jupyterapp && jupyterapp.shell.currentWidget;
const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
return k ? k.status : null;"""
_BUSY = """return [...document.querySelectorAll('.jp-Notebook .jp-InputPrompt')]
  .filter(e => e.textContent.includes('*')).length;"""
_CURRENT = """const w = window.jupyterapp && jupyterapp.shell.currentWidget;
return w && w.context ? w.context.path : null;"""
_NOT_RUN = """const cells = jupyterapp.shell.currentWidget.content.model.cells;
let left = 0;
for (let i = 0; i < cells.length; i++) {
  const c = cells.get(i);
  if (c.type === 'code' && !c.executionCount) left++;
}
return left;"""


def _leave(driver):
    """Leave the page and forget its messages (a page with unsaved changes asks 'beforeunload')."""
    driver.get("about:blank")
    driver.get_log("browser")
    driver.get_log("performance")


def _open_and_run(driver, lab, name: str) -> dict:
    """Open a notebook, check it is not shown as modified, Run All, wait for the kernel."""
    from selenium.webdriver.common.by import By

    _leave(driver)
    # ?reset: a fresh workspace, so that the notebooks of earlier tests are not opened again
    # beside this one (JupyterLab restores its tabs), and the current widget is this notebook.
    driver.get(f"{lab.base}/lab/tree/{name}?reset&token={lab.token}")
    wait_until(lambda: driver.execute_script(_CURRENT) == name
          and driver.execute_script(_KERNEL) == "idle", 120, f"a kernel for {name}")
    time.sleep(1)
    opened = json.loads(driver.execute_script(
        "return JSON.stringify(jupyterapp.shell.currentWidget.context.model.toJSON())"))
    # Nothing changed by opening: JupyterLab would ask "save your changes?" on closing.
    assert not driver.execute_script(
        "return jupyterapp.shell.currentWidget.context.model.dirty"), f"{name} shown as modified"
    assert not driver.find_elements(By.CSS_SELECTOR, ".lm-TabBar-tab.jp-mod-dirty")
    driver.execute_script("jupyterapp.commands.execute('notebook:run-all-cells')")
    # Done when every code cell has run (its execution count is set), none is still running and
    # the kernel is idle; on a busy machine the first cell may start seconds after the command.
    wait_until(lambda: driver.execute_script(_KERNEL) == "idle" and not driver.execute_script(_BUSY)
          and driver.execute_script(_NOT_RUN) == 0, 300, f"Run All of {name}")
    return opened


def _assert_widgets_render(driver, where: str):
    from selenium.webdriver.common.by import By

    # The kernel is idle before the front end has drawn the widgets: on a busy machine that takes
    # seconds. Wait for the first widget, then read the page.
    wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, ".jupyter-widgets"), 60,
          f"a widget to render in {where}")
    text = driver.find_element(By.TAG_NAME, "body").text
    assert "Error displaying widget" not in text, where
    assert not [e for e in driver.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")
                if e.text.startswith(("VBox(", "HBox("))], f"{where}: a widget shown as text"


# ----------------------------------------------------------------------------- tests

def test_02_runs_widgets_render_and_a_slider_changes_the_picture(chrome, lab):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    opened = _open_and_run(chrome, lab, "02_space.ipynb")
    on_disk = json.loads((lab.folder / "02_space.ipynb").read_text())
    assert [c["source"] for c in opened["cells"]] == [
        "".join(c["source"]) for c in on_disk["cells"]], "JupyterLab changed cells on opening"
    _assert_widgets_render(chrome, "02 in JupyterLab")
    # Run All shows every markdown cell's source again; the instructor notes stay one closed line.
    notes = chrome.execute_script(
        """return [...document.querySelectorAll('.jp-MarkdownCell details')].filter(d =>
             d.querySelector('summary') && d.querySelector('summary').textContent
               .includes('For the instructor')).map(d => [d.open, d.offsetHeight]);""")
    assert notes and all(not is_open for is_open, _ in notes), notes
    # A viewer: an Image widget beside its sliders, in one box.
    box = wait_until(lambda: chrome.execute_script(
        """return [...document.querySelectorAll('.widget-box')].find(b =>
             b.querySelector('img') && b.querySelector('.widget-slider .noUi-handle'));"""),
        30, "a box with a picture and a slider")
    picture = box.find_element(By.CSS_SELECTOR, "img")
    before = picture.get_attribute("src")
    handle = box.find_element(By.CSS_SELECTOR, ".widget-slider .noUi-handle")
    chrome.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus()",
                          handle)
    handle.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    wait_until(lambda: picture.get_attribute("src") != before, 30, "the picture to change")
    assert console_errors(chrome) == []
    # scratch/ exists now (the notebook wrote there) but the file browser does not list it.
    assert (lab.folder / "scratch").is_dir()
    with urllib.request.urlopen(f"{lab.base}/api/contents/?token={lab.token}") as answer:
        names = {item["name"] for item in json.load(answer)["content"]}
    assert "02_space.ipynb" in names and "scratch" not in names


def test_03_runs_and_the_tag_browser_filters(chrome, lab):
    from selenium.webdriver.common.by import By

    _open_and_run(chrome, lab, "03_anatomy.ipynb")
    _assert_widgets_render(chrome, "03 in JupyterLab")
    field = wait_until(lambda: chrome.find_elements(By.CSS_SELECTOR, ".widget-text input"), 30,
                  "the tag browser's search field")[0]
    box = chrome.execute_script("return arguments[0].closest('.widget-vbox')", field)
    table = box.find_element(By.CSS_SELECTOR, ".widget-html table")
    rows_before = len(table.find_elements(By.TAG_NAME, "tr"))
    chrome.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus()",
                          field)
    field.clear()
    field.send_keys("SOPInstanceUID")
    wait_until(lambda: 1 < len(box.find_elements(By.CSS_SELECTOR, ".widget-html tr")) < rows_before,
          30, "the table to narrow down")
    assert console_errors(chrome) == []


# RISE's own messages, not the course's: its app asks for optional <notebook>.css and rise.css
# next to the notebook (404 when there are none), and logs a RangeError from its bundle while it
# lays out the slides (jupyterlab_rise 0.43.1; also with no widget on the page).
_RISE_OWN = ("rise.css", ".css' because its MIME type", "Maximum call stack size exceeded")


def test_widgets_render_in_the_rise_slideshow(chrome, lab):
    """The pins of ipywidgets 8.1.2 / jupyterlab_widgets 3.0.10 are for this (pyproject.toml)."""
    from selenium.webdriver.common.by import By

    _open_and_run(chrome, lab, "02_space.ipynb")
    chrome.execute_script("jupyterapp.commands.execute('docmanager:save')")
    wait_until(lambda: not chrome.execute_script(
        "return jupyterapp.shell.currentWidget.context.model.dirty"), 30, "the save")
    _leave(chrome)
    chrome.get(f"{lab.base}/rise/02_space.ipynb?token={lab.token}")
    wait_until(lambda: chrome.find_elements(By.CSS_SELECTOR, ".reveal .slides section"), 60,
          "the slideshow")
    wait_until(lambda: chrome.find_elements(By.CSS_SELECTOR, ".widget-slider"), 60,
          "a slider on the slides")
    time.sleep(2)
    assert "Error displaying widget" not in chrome.page_source
    assert console_errors(chrome, _RISE_OWN) == []


_LOADED = "return document.readyState === 'complete'"
# A deck is ready when reveal.js says so (it is loaded by require.js after the page).
_DECK_READY = """try { return require('vendor/reveal.js/dist/reveal.js').isReady(); }
catch (e) { return false; }"""


def _offline_page(driver, page: Path, ready: str = _LOADED):
    """Open a built page from disk, wait until it is ready (``ready``: a script that says so),
    check that it asked no other host and logged no error."""
    if not page.exists():
        _unavailable(f"{page.relative_to(ROOT)} is not built (make slides site)")
    _leave(driver)
    driver.get(page.as_uri())
    wait_until(lambda: driver.execute_script(ready), 60, f"{page.name} to be ready")
    remote = [u for u in browser_requests(driver) if not u.startswith(("file:", "data:", "blob:"))]
    assert remote == [], f"{page.name} asks other hosts"
    assert console_errors(driver) == []


def test_a_deck_opens_offline_with_its_widgets(chrome):
    from selenium.webdriver.common.by import By

    deck = publish.BUILD / "slides" / "03_anatomy.slides.html"
    _offline_page(chrome, deck, _DECK_READY)
    assert chrome.find_elements(By.CSS_SELECTOR, ".reveal .slides section")
    assert chrome.execute_script("return typeof require('vendor/reveal.js/dist/reveal.js')")
    wait_until(lambda: chrome.find_elements(By.CSS_SELECTOR, ".jupyter-widgets"), 20,
          "the saved widgets to render")


def test_the_site_opens_offline_in_course_order_with_search(chrome):
    from selenium.webdriver.common.by import By

    _offline_page(chrome, publish.BUILD / "site" / "index.html")
    links = [a.get_attribute("href").rsplit("/", 1)[-1]
             for a in chrome.find_elements(By.CSS_SELECTOR, ".bd-sidenav a")]
    names = [p.stem + ".html" for p in publish.course_notebooks()]
    assert [n for n in links if n in names] == names
    assert "glossary.html" in links
    assert chrome.find_elements(By.CSS_SELECTOR, "form[action*='search'], .search-button")


def test_the_site_searches_and_shows_saved_widgets_offline(chrome):
    from selenium.webdriver.common.by import By

    site = publish.BUILD / "site"
    _offline_page(chrome, site / "03_anatomy.html")
    wait_until(lambda: chrome.find_elements(By.CSS_SELECTOR, ".jupyter-widgets"), 20,
          "the saved widgets (the tag browser) to render")
    assert "Error displaying widget" not in chrome.find_element(By.TAG_NAME, "body").text
    _leave(chrome)
    chrome.get((site / "search.html").as_uri() + "?q=Orientation")
    # Sphinx's searchtools.js adds one hit every few milliseconds and writes its summary ("Search
    # finished, found N pages ...") only after the last: read the hits once the summary is there.
    summary = wait_until(lambda: chrome.execute_script(
        "const p = document.querySelector('#search-results .search-summary');"
        "return p && p.textContent.trim();"), 60, "the search to finish")
    hits = chrome.find_elements(By.CSS_SELECTOR, "#search-results li")
    assert f"found {len(hits)} pages" in summary, summary
    assert any("02_space.html" in (a.get_attribute("href") or "")
               for hit in hits for a in hit.find_elements(By.TAG_NAME, "a"))
    assert console_errors(chrome) == []


# ----------------------------------------------------------------------------- any device

PHONE, DESKTOP = (390, 844), (1400, 1000)
_SHOWN = "const e = arguments[0]; return !!(e && e.offsetParent !== null);"


@pytest.fixture
def phone(chrome):
    """The browser at a phone's width for one test, then back at the desktop's."""
    chrome.set_window_size(*PHONE)
    wait_until(lambda: chrome.execute_script("return innerWidth") <= PHONE[0], 30, "the phone's width")
    try:
        yield chrome
    finally:
        chrome.set_window_size(*DESKTOP)
        wait_until(lambda: chrome.execute_script("return innerWidth") > 1000, 30, "the desktop's width")


def _shown_toggle(driver):
    """The sidebar button a reader sees (the themes render more than one)."""
    from selenium.webdriver.common.by import By

    shown = [b for b in driver.find_elements(By.CSS_SELECTOR, ".primary-toggle")
             if b.is_displayed()]
    return shown[0] if len(shown) == 1 else None


def _shown_links(driver, selector: str) -> list:
    from selenium.webdriver.common.by import By

    return [a for a in driver.find_elements(By.CSS_SELECTOR, selector) if a.is_displayed()]


def test_at_phone_width_the_sidebar_opens_and_leads_to_the_next_notebook(phone):
    site = publish.BUILD / "site"
    _offline_page(phone, site / "03_anatomy.html")
    assert phone.execute_script(
        "return document.documentElement.scrollWidth <= innerWidth + 1"), "the page scrolls sideways"
    assert not _shown_links(phone, ".bd-sidenav a"), "the sidebar is open before any click"
    wait_until(lambda: _shown_toggle(phone), 30, "one sidebar button").click()
    link = wait_until(lambda: _shown_links(phone, '.bd-sidenav a[href="04_from_empty_dump.html"]'),
                 30, "the sidebar's link to 04 (the sidebar opened)")[0]
    link.click()
    wait_until(lambda: phone.current_url.endswith("04_from_empty_dump.html"), 30, "page 04")
    assert console_errors(phone) == []


def test_at_phone_width_the_search_finds_pages(phone):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _offline_page(phone, publish.BUILD / "site" / "index.html")
    button = wait_until(lambda: _shown_links(phone, "button.search-button"), 30, "a search button")
    button[0].click()
    field = wait_until(lambda: [f for f in phone.find_elements(By.CSS_SELECTOR, "input[name=q]")
                           if f.is_displayed()], 30, "the search field")[0]
    field.send_keys("Orientation", Keys.ENTER)
    summary = wait_until(lambda: phone.execute_script(
        "const p = document.querySelector('#search-results .search-summary');"
        "return p && p.textContent.trim();"), 60, "the search to finish")
    hits = phone.find_elements(By.CSS_SELECTOR, "#search-results li")
    assert hits and f"found {len(hits)} pages" in summary, summary


def test_at_desktop_width_the_sidebar_folds_away_and_comes_back(chrome):
    _offline_page(chrome, publish.BUILD / "site" / "03_anatomy.html")
    assert _shown_links(chrome, ".bd-sidenav a")
    wait_until(lambda: _shown_toggle(chrome), 30, "one sidebar button").click()
    wait_until(lambda: not _shown_links(chrome, ".bd-sidenav a"), 30, "the sidebar to fold away")
    _shown_toggle(chrome).click()
    wait_until(lambda: _shown_links(chrome, ".bd-sidenav a"), 30, "the sidebar to come back")
    assert console_errors(chrome) == []


def test_each_page_offers_a_binder_launch_and_a_download_of_its_notebook(phone):
    import nbformat
    from selenium.webdriver.common.by import By

    from tooling import site_pages

    stem = "03_anatomy"
    _offline_page(phone, publish.BUILD / "site" / f"{stem}.html")
    binder = site_pages.binder_url(site_pages.settings().repository, stem)
    for menu, link in ((".dropdown-launch-buttons button", f'a[href="{binder}"]'),
                       (".dropdown-download-buttons button", f'a[href$="_sources/{stem}.ipynb"]')):
        wait_until(lambda menu=menu: _shown_links(phone, menu), 30, f"the button {menu}")[0].click()
        wait_until(lambda link=link: _shown_links(phone, link), 30, f"the menu's link {link}")
    href = phone.find_element(By.CSS_SELECTOR, f'a[href$="_sources/{stem}.ipynb"]')
    download = Path(urllib.request.url2pathname(href.get_attribute("href").removeprefix("file://")))
    got = nbformat.read(download, as_version=4)  # the notebook as a learner starts it
    assert got.cells[0].source.startswith("# " + phone.find_element(By.TAG_NAME, "h1").text[:20])
    assert not any(c.get("outputs") for c in got.cells)


_CUT_SLIDES = """const R = require('vendor/reveal.js/dist/reveal.js');
R.configure({transition: 'none', backgroundTransition: 'none'});
const cut = [], scrolls = (e, axis) => ['auto', 'scroll'].includes(getComputedStyle(e)[axis]);
for (const s of R.getSlides()) {
  const i = R.getIndices(s); R.slide(i.h, i.v);
  const box = document.querySelector('.reveal .slides').getBoundingClientRect();
  const r = s.getBoundingClientRect(), name = `slide ${i.h}/${i.v}`;
  if (r.bottom > box.bottom + 2 || r.top < box.top - 2)
    cut.push(`${name} is ${Math.round(r.height)} px tall in ${Math.round(box.height)}`);
  if (s.scrollHeight > s.clientHeight + 2 && !scrolls(s, 'overflowY'))
    cut.push(`${name}: ${s.scrollHeight} px of content in ${s.clientHeight}`);
  for (const e of s.querySelectorAll('pre, table, img, .jp-OutputArea-output, p, li')) {
    const er = e.getBoundingClientRect();
    let a = e.parentElement, held = false;
    for (; a && a !== s.parentElement; a = a.parentElement)
      if (scrolls(a, 'overflowX') && a.scrollWidth > a.clientWidth) { held = true; break; }
    if (er.width && !held && er.right > r.right + 2)
      cut.push(`${name}: a ${e.tagName} ends ${Math.round(er.right - r.right)} px right of it`);
  }
}
R.slide(0, 0);
return cut;"""


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_deck_slide_is_cut_off(chrome, size):
    """Each slide fits its deck's slide or scrolls: no content below or right of it is lost."""
    chrome.set_window_size(*size)
    try:
        cut = {}
        for path in publish.course_notebooks():
            deck = publish.BUILD / "slides" / f"{path.stem}.slides.html"
            _offline_page(chrome, deck, _DECK_READY)
            cut[deck.name] = chrome.execute_script(_CUT_SLIDES)
        assert {name: c for name, c in cut.items() if c} == {}
    finally:
        chrome.set_window_size(*DESKTOP)


@pytest.fixture(scope="module")
def axe_source(tmp_path_factory) -> str:
    """axe-core's script, from the npm registry at the version and digest pinned in publish."""
    try:
        folder = publish.vendor(["axe-core"], tmp_path_factory.mktemp("axe"))["axe-core"]
    except publish.PublishError as error:
        _unavailable(f"axe-core: {error}")
    return (folder / "axe.min.js").read_text(encoding="utf-8")


_AXE_RUN = """const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(
  r => done(r.violations.map(v => ({id: v.id, impact: v.impact,
                                    nodes: v.nodes.map(n => n.target.join(' '))}))),
  e => done([{id: 'axe failed', impact: 'critical', nodes: [String(e)]}]));"""


@pytest.mark.parametrize("page", ["site/index.html", "site/setup.html", "site/00_welcome.html",
                                  "site/03_anatomy.html", "site/glossary.html",
                                  "site/search.html", "slides/index.html",
                                  "slides/03_anatomy.slides.html",
                                  "slides/07_network.slides.html"])
def test_axe_core_finds_no_serious_accessibility_problem(chrome, axe_source, page):
    path = publish.BUILD / page
    _offline_page(chrome, path, _DECK_READY if page.endswith(".slides.html") else _LOADED)
    chrome.set_script_timeout(120)
    chrome.execute_script(axe_source)
    found = chrome.execute_async_script(_AXE_RUN)
    serious = [f"{v['id']} ({v['impact']}): {v['nodes'][:3]}" for v in found
               if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{page}: " + "; ".join(serious)
