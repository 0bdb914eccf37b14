"""Instructor decks and a self-study site from the notebooks, both working with no network.

``make slides`` writes one reveal.js deck per notebook to ``build/slides/``; ``make site`` writes a
Sphinx site (myst-nb, sphinx-book-theme) to ``build/site/``. Both start from the same executed
copies of the notebooks (``build/executed/``, run in learner mode: a solution is offered, not run).

Nothing is loaded from another host when a page is viewed: the JavaScript a page needs is copied
next to it, taken at build time from the npm registry at pinned versions and digests
(:mod:`tooling.npm_assets`, whose names this module also offers).

The pure parts are small and tested: :func:`jupyterlab_slug` (the anchors that JupyterLab gives a
heading, so that ``glossary.md#AE-Title`` means the same in JupyterLab and on the site),
:func:`site_conf` (the text of the ``conf.py`` Sphinx reads; the site's own pages and words are
:mod:`tooling.site_pages`), and
:func:`page_problems` (links that do not resolve, links to ``.ipynb``, resources from other hosts).

Examples
--------
>>> jupyterlab_slug("AE Title")
'AE-Title'
>>> [p.name for p in course_notebooks()][:2]
['00_welcome.ipynb', '01_history.ipynb']
"""

from __future__ import annotations

import argparse
import html
import html.parser
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbclient
import nbformat
from nbconvert import SlidesExporter
from traitlets.config import Config

from tooling import site_pages
from tooling.authoring import is_instructor_notes
from tooling.npm_assets import ASSETS, CACHE, Asset, PublishError, fetch, unpack, vendor
from tooling.site_pages import deck_index, hide_hidden_source

__all__ = ["ASSETS", "Asset", "PublishError", "fetch", "unpack", "vendor",  # from npm_assets
           "course_notebooks", "execute", "executed_notebooks", "notebook_title", "build_slides", "deck_index", "jupyterlab_slug",
           "hide_hidden_source", "relink", "widget_paths",
           "site_conf", "stage_site", "build_site", "page_problems", "main"]

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
TITLE = "DICOM — there can be only one"


# ----------------------------------------------------------------------------- notebooks

def course_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The course's notebooks in teaching order (``NN_topic.ipynb``)."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb"))


def notebook_title(path: Path) -> str:
    """The first heading of the notebook's first markdown cell, or the file's stem.

    Examples
    --------
    >>> notebook_title(course_notebooks()[0]).startswith("00 · Welcome")
    True
    """
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return Path(path).stem


def execute(source: Path, target: Path, timeout: int = 600, allow_errors: bool = False) -> float:
    """Run a notebook top to bottom in a fresh kernel; returns the seconds it took.

    It runs in its own folder and is saved with its outputs and widget state. Cells tagged ``raises-exception`` may fail; any other error raises ``CellExecutionError``
    (with ``allow_errors``, the run goes on and the error is shown in the saved notebook).
    """
    started = time.monotonic()
    nb = nbformat.read(source, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                     allow_errors=allow_errors, resources={"metadata": {"path": str(Path(source).parent)}})
    client.execute()
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return time.monotonic() - started


def executed_notebooks(out: Path = BUILD / "executed", folder: Path = NOTEBOOKS,
                       allow_errors: bool = False) -> list[Path]:
    """Executed copies of the course's notebooks; a copy newer than its source is reused."""
    paths = []
    for source in course_notebooks(folder):
        target = Path(out) / source.name
        if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
            seconds = execute(source, target, allow_errors=allow_errors)
            print(f"executed {source.name} in {seconds:.1f} s", flush=True)
        paths.append(target)
    return paths


# ----------------------------------------------------------------------------- slides

# nbconvert's reveal template imports mermaid.js as a module from a CDN in every deck; the course
# draws no mermaid diagrams, so this template (an extension of nbconvert's own) leaves it out.
_SLIDES_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}
{%- if "widgets" in nb.metadata %}<script src="vendor/widget-paths.js"></script>{% endif -%}
{{ super() }}
{%- endblock jupyter_widgets -%}
{%- block html_head_css -%}
<style>
/* A slide taller than the deck's 700 px scrolls inside the slide; wide code and outputs scroll
   sideways: nothing is cut off. */
.reveal .slides > section > section { max-height: 100%; overflow-y: auto; }
.reveal .slides pre, .reveal .slides .jp-OutputArea-output { overflow-x: auto; }
.reveal .slides pre { box-sizing: border-box; max-width: 100%; }
/* Links in text are underlined: colour alone does not tell them from the text (WCAG 1.4.1). */
.reveal .slides a { text-decoration: underline; }
</style>
{%- endblock html_head_css -%}
"""


def widget_paths(dist: str) -> str:
    """A script that tells require.js where the widget manager's modules are.

    So that it finds their fonts next to them (it looks beside each module's own address).

    Examples
    --------
    >>> 'paths: {"@jupyter-widgets": "v/dist"' in widget_paths("v/dist")
    True
    """
    return (f'require.config({{paths: {{"@jupyter-widgets": "{dist}", '
            f'"@jupyter-widgets/html-manager/dist": "{dist}"}}}});\n')


def relink(markdown: str, site: str = "../site/") -> str:
    """Markdown links of a deck: other decks and the site's glossary.

    Another notebook's deck instead of its ``.ipynb``, and the site's glossary (the decks are
    built beside the site) instead of ``glossary.md``.

    Examples
    --------
    >>> relink("see [07](07_network.ipynb#Ports) and [AE](glossary.md#AE)")
    'see [07](07_network.slides.html#Ports) and [AE](../site/glossary.html#AE)'
    """
    markdown = re.sub(r"\]\((\d\d_[\w-]+)\.ipynb", r"](\1.slides.html", markdown)
    return re.sub(r"\]\(glossary\.md", f"]({site}glossary.html", markdown)


def _slides_exporter(templates: Path):
    templates.mkdir(parents=True, exist_ok=True)
    (templates / "offline_reveal.html.j2").write_text(_SLIDES_TEMPLATE)
    v = "vendor"
    config = Config()
    config.SlidesExporter.update(
        reveal_url_prefix=f"{v}/reveal.js",
        require_js_url=f"{v}/requirejs/require.js",
        jquery_url=f"{v}/jquery/dist/jquery.min.js",
        mathjax_url=f"{v}/mathjax2/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        widget_renderer_url=f"{v}/html-manager/dist/embed-amd.js",
        reveal_scroll=True,
        reveal_theme="white",  # its fonts are in the package ('simple' asks Google Fonts)
        extra_template_paths=[str(templates)],
        template_file="offline_reveal.html.j2",
    )
    return SlidesExporter(config=config)


def open_notes(text: str, cell) -> str:
    """Speaker notes shown open in the deck.

    An instructor-notes cell (:func:`tooling.authoring.is_instructor_notes`) is a closed
    ``<details>`` block, so that learners in JupyterLab see one line; in the deck it opens for
    the instructor.

    Examples
    --------
    >>> from nbformat.v4 import new_markdown_cell
    >>> notes = new_markdown_cell("", metadata={"slideshow": {"slide_type": "notes"}})
    >>> open_notes("<details><summary>For the instructor</summary>- 02</details>", notes)[:14]
    '<details open>'
    >>> open_notes("<details>x</details>", new_markdown_cell(""))
    '<details>x</details>'
    """
    if not is_instructor_notes(cell):
        return text
    return text.replace("<details>", "<details open>", 1)


def build_slides(notebooks: list[Path], out: Path = BUILD / "slides",
                 cache: Path = CACHE) -> list[Path]:
    """One reveal.js deck per (executed) notebook, ``out/NN_topic.slides.html``.

    Its JavaScript goes in ``out/vendor/``; cells of slide type ``notes`` become speaker notes
    (key S).
    """
    out = Path(out)
    vendor(["reveal.js", "requirejs", "jquery", "mathjax2", "html-manager"], out / "vendor", cache)
    (out / "vendor" / "widget-paths.js").write_text(widget_paths("vendor/html-manager/dist"))
    exporter = _slides_exporter(out / "templates")
    decks = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = open_notes(relink(cell.source), cell)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        deck = out / f"{path.stem}.slides.html"
        deck.write_text(body, encoding="utf-8")
        decks.append(deck)
    (out / "index.html").write_text(deck_index(notebooks, decks, TITLE), encoding="utf-8")
    return decks


# ----------------------------------------------------------------------------- site

def jupyterlab_slug(heading: str) -> str:
    """The anchor JupyterLab gives a markdown heading: spaces become ``-``, case is kept.

    Used as ``myst_heading_slug_func``, so a link ``glossary.md#AE-Title`` reaches the heading
    ``AE Title`` in JupyterLab and on the site alike.

    Examples
    --------
    >>> jupyterlab_slug("C-MOVE"), jupyterlab_slug("AE Title"), jupyterlab_slug(" UID ")
    ('C-MOVE', 'AE-Title', 'UID')
    """
    return heading.strip().replace(" ", "-")


def site_conf(static: str = "vendor", cfg: site_pages.Settings | None = None) -> str:
    """The text of the site's ``conf.py``.

    myst-nb on executed notebooks, sphinx-book-theme, and MathJax and the widget manager from
    ``_static/<static>/`` instead of a CDN. Each page has a Binder launch button and a download
    of its notebook (``cfg``: :func:`site_pages.settings`), code cells a copy button.

    Examples
    --------
    >>> conf = {}; exec(site_conf(), conf)
    >>> conf["nb_execution_mode"], conf["html_theme"], conf["mathjax_path"]
    ('off', 'sphinx_book_theme', 'vendor/mathjax3/es5/tex-chtml-full.js')
    """
    cfg = cfg or site_pages.settings()
    return f'''# Written by tooling.publish.site_conf: do not edit, it is rewritten on every build.
project = {TITLE!r}
html_title = {TITLE!r}
author = {cfg.author!r}
extensions = ["myst_nb", "sphinx_copybutton"]
nb_execution_mode = "off"            # notebooks arrive executed (build/executed)
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
myst_heading_slug_func = "tooling.publish.jupyterlab_slug"
html_theme = "sphinx_book_theme"
html_theme_options = {{"home_page_in_toc": True, "show_navbar_depth": 1,
                      "use_download_button": True, "use_fullscreen_button": True,
                      "navigation_with_keys": False,
                      "repository_url": {cfg.repository!r}, "repository_branch": "HEAD",
                      "path_to_docs": "notebooks", "use_repository_button": True,
                      "launch_buttons": {{"binderhub_url": {site_pages.BINDERHUB!r},
                                         "notebook_interface": "jupyterlab"}}}}
html_static_path = ["_static"]
html_js_files = ["course.js"]
html_css_files = ["course.css"]
html_context = {{"default_mode": "light"}}
html_copy_source = True              # _sources/: the download button's notebooks
html_show_sourcelink = False
html_show_sphinx = False
html_show_search_summary = False     # summaries fetch() each page, which a page from disk may not
mathjax_path = "{static}/mathjax3/es5/tex-chtml-full.js"
nb_ipywidgets_js = {{
    "{static}/requirejs/require.js": {{}},
    "{static}/widget-paths.js": {{}},
    "{static}/html-manager/dist/embed-amd.js": {{}},  # no crossorigin: pages open from disk
}}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "scratch"]
suppress_warnings = ["mystnb.unknown_mime_type"]
'''


def stage_site(notebooks: list[Path], src: Path, glossary: Path | None = None,
               cache: Path = CACHE) -> Path:
    """Write the Sphinx source folder: the executed notebooks, the glossary, index and conf.

    Source-hidden cells are folded (:func:`hide_hidden_source`).
    """
    src = Path(src)
    if src.exists():
        shutil.rmtree(src)
    (src / "_static").mkdir(parents=True)
    for path in notebooks:
        nb = site_pages.for_the_site(nbformat.read(path, as_version=4))
        for cell in nb.cells:
            hide_hidden_source(cell)
        nbformat.write(nb, src / path.name)
    extra = []
    if glossary is not None and Path(glossary).exists():
        shutil.copy2(glossary, src / "glossary.md")
        extra.append("glossary")
    cfg = site_pages.settings()
    entries = [site_pages.overview(p) for p in notebooks]
    (src / "index.md").write_text(site_pages.landing_page(entries, cfg, TITLE, extra),
                                  encoding="utf-8")
    (src / "setup.md").write_text(site_pages.setup_page(cfg), encoding="utf-8")
    (src / "_static" / "course.js").write_text(site_pages.COURSE_JS, encoding="utf-8")
    (src / "_static" / "course.css").write_text(site_pages.COURSE_CSS, encoding="utf-8")
    (src / "conf.py").write_text(site_conf(cfg=cfg), encoding="utf-8")
    vendor(["requirejs", "html-manager", "mathjax3"], src / "_static" / "vendor", cache)
    (src / "_static" / "vendor" / "widget-paths.js").write_text(
        widget_paths("_static/vendor/html-manager/dist"))
    return src


def build_site(notebooks: list[Path], out: Path = BUILD / "site", src: Path = BUILD / "site-src",
               glossary: Path | None = NOTEBOOKS / "glossary.md",
               cache: Path = CACHE, notebooks_folder: Path = NOTEBOOKS) -> Path:
    """Build the site with Sphinx; returns ``out/index.html``.

    With ``-W``: a warning, e.g. a link that does not resolve, fails the build.
    """
    stage_site(notebooks, src, glossary, cache)
    if Path(out).exists():
        shutil.rmtree(out)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "-E", str(src), str(out)],
                          capture_output=True, text=True, env=env, timeout=1200)
    if done.returncode != 0:
        raise PublishError("sphinx-build failed:\n" + done.stderr[-4000:])
    for page in Path(out).glob("*.html"):
        page.write_text(site_pages.tidy_page(page.read_text(encoding="utf-8")), encoding="utf-8")
    # The download button offers the notebook as a learner starts it (no outputs, every cell).
    for path in notebooks:
        source = Path(notebooks_folder) / path.name
        if source.exists():
            shutil.copy2(source, Path(out) / "_sources" / path.name)
    return Path(out) / "index.html"


# ----------------------------------------------------------------------------- checks

_CSS_REMOTE = re.compile(r"""(?:url\(|@import\s+)\s*['"]?((?:https?:)?//[^'")\s]+)""")


_LOADED = {"stylesheet", "icon", "preload", "modulepreload", "manifest"}  # not next, index, search


class _Refs(html.parser.HTMLParser):
    """Collects ids, links and loaded resources of one page.

    Links are ``a href``; resources ``script src``, ``link href``, ``img src``, ``iframe src``
    and ``source src``.
    """

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.loads: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key) and (key == "id" or tag == "a"):
                self.ids.add(a[key])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag in ("script", "img", "iframe", "source", "video", "audio") and a.get("src"):
            self.loads.append(a["src"])
        elif tag == "link" and a.get("href") and _LOADED & set((a.get("rel") or "").split()):
            self.loads.append(a["href"])


def _refs(page: Path) -> _Refs:
    parser = _Refs()
    parser.feed(Path(page).read_text(encoding="utf-8", errors="replace"))
    return parser


def page_problems(pages: list[Path], root: Path, anchors: bool = True,
                  outside: bool = True) -> list[str]:
    """What is wrong with a set of built pages under ``root``.

    A resource loaded from another host or missing, a link to an ``.ipynb`` file that is not
    there to download (a link meant for a page), a local link to a missing file or (``anchors``) to a missing anchor. A deck's own anchors are reveal.js's, so decks are checked without; with
    ``outside=False`` a link that leaves ``root`` (a deck's link to the site) is not followed.

    Links to other hosts (the standard, an attribute browser) are fine: they are followed only
    when a reader clicks them.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = (root / "a.html").write_text('<h1 id="top">A</h1><a href="b.html#x">b</a>'
    ...     '<a href="01.ipynb">nb</a><script src="https://cdn.example/x.js"></script>')
    >>> _ = (root / "b.html").write_text('<a href="a.html#top">a</a>')
    >>> for problem in page_problems([root / "a.html", root / "b.html"], root): print(problem)
    a.html: loads https://cdn.example/x.js from another host
    a.html: anchor #x not in b.html
    a.html: links to a notebook file 01.ipynb
    """
    problems = []
    cache: dict[Path, _Refs] = {}
    for page in pages:
        refs = cache.setdefault(page, _refs(page))
        where = Path(page).relative_to(root)
        for url in refs.loads:
            if urlsplit(url).scheme in ("http", "https") or url.startswith("//"):
                problems.append(f"{where}: loads {url} from another host")
            elif url.startswith(("data:", "blob:")):
                continue
            elif not (Path(page).parent / unquote(urlsplit(url).path)).is_file():
                problems.append(f"{where}: loads missing {url}")
            elif urlsplit(url).path.endswith(".css"):
                sheet = Path(page).parent / unquote(urlsplit(url).path)
                text = sheet.read_text(errors="replace") if sheet.is_file() else ""
                for found in _CSS_REMOTE.findall(text):
                    problems.append(f"{where}: {url} loads {found} from another host")
        for url in refs.links:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//"):
                continue
            if parts.path.endswith(".ipynb"):  # a download is fine, a link meant for a page is not
                if not (Path(page).parent / unquote(parts.path)).is_file():
                    problems.append(f"{where}: links to a notebook file {url}")
                continue
            target = (Path(page).parent / unquote(parts.path)).resolve() if parts.path else page
            if not outside and not target.is_relative_to(Path(root).resolve()):
                continue
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{where}: link to missing {url}")
            elif parts.fragment and target.suffix == ".html":
                ids = cache.setdefault(target, _refs(target)).ids
                if not anchors or {parts.fragment, unquote(parts.fragment)} & ids:
                    continue
                else:
                    problems.append(f"{where}: anchor #{parts.fragment} not in "
                                    f"{target.relative_to(Path(root).resolve())}")
    return problems


# ----------------------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    """``python -m tooling.publish slides|site``: build and check, print the times."""
    parser = argparse.ArgumentParser(prog="python -m tooling.publish",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["slides", "site", "both", "links"],
                        help="links: write pyproject.toml's [tool.workshop] repository into "
                             "README.md's Binder badge and CITATION.cff")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS)
    parser.add_argument("--build", type=Path, default=BUILD)
    parser.add_argument("--allow-errors", action="store_true",
                        help="publish a notebook whose cell fails, with the error (for drafts)")
    args = parser.parse_args(argv)
    if args.what == "links":
        changed = site_pages.update_links()
        print("updated:", ", ".join(changed) if changed else "nothing, all up to date")
        return 0
    started = time.monotonic()
    notebooks = executed_notebooks(args.build / "executed", args.notebooks, args.allow_errors)
    print(f"executed notebooks ready in {time.monotonic() - started:.0f} s", flush=True)
    cache = args.build / "npm"
    problems = []
    if args.what in ("slides", "both"):
        t = time.monotonic()
        decks = build_slides(notebooks, args.build / "slides", cache)
        problems += page_problems(decks, args.build / "slides", anchors=False,
                                  outside=False)
        print(f"{len(decks)} decks in {args.build / 'slides'} ({time.monotonic() - t:.0f} s)")
    if args.what in ("site", "both"):
        t = time.monotonic()
        index = build_site(notebooks, args.build / "site", args.build / "site-src",
                           args.notebooks / "glossary.md", cache, args.notebooks)
        pages = sorted(index.parent.glob("*.html"))
        problems += page_problems(pages, index.parent)
        print(f"{len(pages)} pages in {index.parent} ({time.monotonic() - t:.0f} s)")
    for problem in problems:
        print("problem:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
