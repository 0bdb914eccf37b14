"""What the self-study site adds to the notebooks, and what it leaves out of them.

:mod:`tooling.publish` builds the site; this module gives it its words and its few fixes:

- :func:`settings`: the repository's address and the author, one setting in ``pyproject.toml``
  (``[tool.workshop]``) that the site's launch buttons, the README's Binder badge and
  ``CITATION.cff`` take from (:func:`update_links` writes the last two);
- :func:`for_the_site`: a notebook as the site shows it: no instructor notes (the decks keep
  them as speaker notes), no text that only makes sense in JupyterLab, no path of the machine
  that built it;
- :func:`overview` and :func:`landing_page`: the index, each notebook with its time and its
  learning objectives, read from its first cell; :func:`setup_page`: how to run the course;
- :data:`COURSE_JS` and :func:`tidy_page`: small fixes of the theme's pages (see their notes).

Examples
--------
>>> binder_url("https://github.com/ann/dicom-course", "00_welcome")
'https://mybinder.org/v2/gh/ann/dicom-course/HEAD?urlpath=lab/tree/notebooks/00_welcome.ipynb'
"""

from __future__ import annotations

import copy
import html
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tooling.authoring import is_instructor_notes, stated_minutes, stated_optional_minutes

__all__ = ["Settings", "settings", "binder_url", "readme_badge", "update_links", "for_the_site", "Overview",
           "overview", "landing_page", "setup_page", "hide_hidden_source", "deck_index",
           "tidy_page", "COURSE_JS", "COURSE_CSS"]

ROOT = Path(__file__).resolve().parent.parent
BINDERHUB = "https://mybinder.org"
BADGE = "https://mybinder.org/badge_logo.svg"
# Measured here: `du -sh .venv` (940M) with binder/requirements.txt installed, Debian 12, Python 3.11.
INSTALL_SIZE = "about 940 MB"


@dataclass(frozen=True)
class Settings:
    """``[tool.workshop]`` of ``pyproject.toml``: ``repository`` (a GitHub address), ``author``."""

    repository: str
    author: str

    @property
    def placeholder(self) -> bool:
        """True while the address is still the template's ``OWNER/REPO``."""
        return "OWNER/REPO" in self.repository


def settings(pyproject: Path = ROOT / "pyproject.toml") -> Settings:
    """The course's ``[tool.workshop]`` settings.

    Examples
    --------
    >>> settings().repository.startswith("https://github.com/")
    True
    """
    with open(pyproject, "rb") as file:
        values = tomllib.load(file).get("tool", {}).get("workshop", {})
    missing = [key for key in ("repository", "author") if not values.get(key)]
    if missing:
        raise ValueError(f"{pyproject}: [tool.workshop] needs {' and '.join(missing)}")
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", values["repository"]):
        raise ValueError(f"{pyproject}: [tool.workshop] repository must be "
                         f"https://github.com/OWNER/REPO, not {values['repository']!r}")
    return Settings(values["repository"], values["author"])


def binder_url(repository: str, notebook: str = "00_welcome") -> str:
    """The mybinder.org address that opens ``notebooks/<notebook>.ipynb`` in JupyterLab."""
    owner_repo = repository.removeprefix("https://github.com/")
    return f"{BINDERHUB}/v2/gh/{owner_repo}/HEAD?urlpath=lab/tree/notebooks/{notebook}.ipynb"


def readme_badge(repository: str) -> str:
    """The README's Binder badge (markdown) for the repository.

    Examples
    --------
    >>> readme_badge("https://github.com/a/b")  # doctest: +ELLIPSIS
    '[![Launch on Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/a/b/HEAD?...)'
    """
    return f"[![Launch on Binder]({BADGE})]({binder_url(repository)})"


_BADGE_LINK = re.compile(r"\[!\[Launch on Binder\]\([^)]*\)\]\([^)]*\)")
_CITATION_REPO = re.compile(r'^repository-code: ".*"$', re.M)


def update_links(repository: str | None = None, root: Path = ROOT) -> list[str]:
    """Write the repository's address into the README's Binder badge and ``CITATION.cff``.

    ``repository`` defaults to :func:`settings`; returns the files that changed. Raises
    ``ValueError`` when a file has no such line (badge, ``repository-code``) to update.
    """
    repository = repository or settings(Path(root) / "pyproject.toml").repository
    changed = []
    for name, pattern, line in (
            ("README.md", _BADGE_LINK, readme_badge(repository)),
            ("CITATION.cff", _CITATION_REPO, f'repository-code: "{repository}"')):
        path = Path(root) / name
        text = path.read_text(encoding="utf-8")
        if not pattern.search(text):
            raise ValueError(f"{path}: no line to update (expected {pattern.pattern})")
        new = pattern.sub(lambda _, line=line: line, text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(name)
    return changed


# ----------------------------------------------------------------------------- notebooks

_NOT_ATTEMPTED = "Not attempted yet: replace the ... with your answer and run the cell again."
ON_THE_SITE = ("Nothing runs on this page: open the notebook (Binder, or JupyterLab on your own "
               "computer: see <a href=\"setup.html\">Set-up</a>), replace the ... with your "
               "answer and run the cell to have it checked.")
_SUMMARY = re.compile(r"nothing solved yet: 0 of (\d+) exercises")
_SOLUTION_NOT_RUN = ("Run All does not solve the exercises. Expand this cell to read the solution, "
                     "or write exercises.show_solution(run=True) in its second line to run it on "
                     "purpose.")
_SITE_TEXTS = [(_NOT_ATTEMPTED, ON_THE_SITE),
               ("Solution not run</b>", "The solution</b>"),
               (_SOLUTION_NOT_RUN, "Try the exercise yourself first, in the notebook; then read "
                                   "the solution here.")]
WIDGET_NOTE = ("<p class=\"site-note\">A saved copy of the widget: its search box and controls "
               "answer only when the notebook runs (in JupyterLab, or on Binder).</p>")


def _builder_paths(root: Path, python: str) -> list[tuple[re.Pattern, str]]:
    """Paths of the machine that ran the notebooks, and what the site writes instead."""
    venv_python = re.escape(str(root)) + r"/\.venv/bin/python[\d.]*"
    return [(re.compile(rf"[ \t]*(?:{re.escape(python)}|{venv_python})[ \t]*"), ""),
            (re.compile(re.escape(str(root)) + "/"), "")]


def _rewrite(text: str, rules: list[tuple[re.Pattern, str]]) -> str:
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


def for_the_site(nb: nbformat.NotebookNode, root: Path = ROOT,
                 python: str = sys.executable) -> nbformat.NotebookNode:
    r"""A copy of an executed notebook as the site shows it.

    Instructor notes (:func:`tooling.authoring.is_instructor_notes`) are left out; an
    exercise's "run the cell again", a solution's "Run All does not solve ..." and the summary's
    "0 of N solved" say how to run it instead; a widget gets a caption (a saved widget does not
    answer on a static page); paths of the machine that built the site (``<root>/...``, its
    Python) are taken out of outputs.

    Examples
    --------
    >>> v4 = nbformat.v4
    >>> nb = v4.new_notebook(cells=[v4.new_markdown_cell("# T"),
    ...     v4.new_markdown_cell("For the instructor", metadata={"tags": ["instructor-notes"]}),
    ...     v4.new_code_cell("x", outputs=[v4.new_output("stream", text="python 3.11 /r/.venv/bin/python\n"
    ...                                                    "folder /r/notebooks/scratch\n")])])
    >>> site = for_the_site(nb, Path("/r"), "/usr/bin/python3")
    >>> [c.source for c in site.cells], site.cells[1].outputs[0].text
    (['# T', 'x'], 'python 3.11\nfolder notebooks/scratch\n')
    """
    nb = copy.deepcopy(nb)
    nb.cells = [cell for cell in nb.cells if not is_instructor_notes(cell)]
    rules = _builder_paths(Path(root), python)
    for cell in nb.cells:
        outputs = []
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = _rewrite(output["text"], rules)
            if output.get("output_type") == "error":
                output["evalue"] = _rewrite(output["evalue"], rules)
                output["traceback"] = [_rewrite(line, rules) for line in output["traceback"]]
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") and isinstance(value, str):
                    value = _rewrite(value, rules)
                    for jupyterlab_text, site_text in _SITE_TEXTS:
                        value = value.replace(jupyterlab_text, site_text)
                    output["data"][mime] = _SUMMARY.sub(
                        r"\1 exercises on this page: run the notebook to have your answers checked",
                        value)
            outputs.append(output)
            if "application/vnd.jupyter.widget-view+json" in output.get("data", {}):
                outputs.append(nbformat.v4.new_output(
                    "display_data", data={"text/html": WIDGET_NOTE,
                                          "text/plain": re.sub("<[^>]+>", "", WIDGET_NOTE)}))
        if "outputs" in cell:
            cell["outputs"] = outputs
    return nb


@dataclass(frozen=True)
class Overview:
    """A notebook as the landing page lists it."""

    doc: str
    title: str
    minutes: int | None
    objectives: tuple[str, ...]
    optional: int | None = None  #: minutes of its optional *Going further* sections


def overview(path: Path) -> Overview:
    """Title, stated time and learning objectives, from the notebook's first cell.

    Examples
    --------
    >>> from tooling.publish import course_notebooks
    >>> first = overview(course_notebooks()[3])
    >>> first.title.startswith("03"), first.minutes > 0, len(first.objectives) >= 2
    (True, True, True)
    """
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0].source if nb.cells else ""
    title = next((line.lstrip("#").strip() for line in first.splitlines()
                  if line.startswith("#")), Path(path).stem)
    block = re.search(r"\*\*Learning objectives\*\*\s*\n(.*?)(?:\n\s*\n|\n\*\*|\Z)", first, re.S)
    objectives = re.findall(r"^- (.*(?:\n  .*)*)", block.group(1), re.M) if block else []
    return Overview(Path(path).stem, title, stated_minutes(first),
                    tuple(" ".join(o.split()) for o in objectives), stated_optional_minutes(first))


def hours(minutes: int) -> str:
    """Minutes as hours to the nearest quarter, as the README writes them.

    >>> hours(590), hours(600), hours(135)
    ('9¾', '10', '2¼')
    """
    whole, quarter = divmod(round(minutes / 15), 4)
    return f"{whole}{['', '¼', '½', '¾'][quarter]}"


def landing_page(entries: list[Overview], cfg: Settings, title: str,
                 extra: list[str] = ()) -> str:
    """The site's ``index.md``: how to start, then each notebook with its time and objectives.

    The toctree (the sidebar) lists the notebooks in course order, then ``extra`` (the glossary).
    """
    total = sum(e.minutes or 0 for e in entries)
    optional = sum(e.optional or 0 for e in entries)
    parts = [f"# {title}\n",
             "An interactive course on the DICOM standard. Each page is a notebook, shown with "
             "the outputs of a run. To run the cells and try the exercises, launch a notebook on "
             "Binder (the rocket button at the top of its page) or run the course on your own "
             "computer: see [Set-up](setup.md).\n",
             f"Read as a newcomer, every cell run and every exercise tried, the core of the "
             f"course takes about {total} minutes (about {hours(total)} hours): spread it "
             f"over several sessions. Sections whose heading starts with *Going further:* are "
             f"optional and add about {optional} minutes.\n", "## The notebooks\n"]
    for e in entries:
        time = f"about {e.minutes} minutes" if e.minutes else "time not stated"
        if e.minutes and e.optional:
            time += f", plus about {e.optional} optional"
        parts.append(f"### [{e.title}]({e.doc}.ipynb)\n\n*{time}.* You will be able to:\n")
        parts.append("".join(f"- {o}\n" for o in e.objectives))
    parts.append(
        "## Author, licence, citation\n\n"
        f"By {cfg.author}; the course grew out of a talk at the PRESIMAL workshop, Solstrand, "
        "2022. The code (`workshop_helpers/`, the code cells, the tests) is under the MIT "
        "licence; the text and the pictures of the notebooks, the glossary and this site under "
        "Creative Commons Attribution 4.0 International (CC BY 4.0): see the file `LICENSE` in "
        f"the [repository]({cfg.repository}). To cite the course, use `CITATION.cff` there "
        "(GitHub's *Cite this repository* reads it).\n")
    docs = "\n".join(e.doc for e in entries)
    parts.append(f"```{{toctree}}\n:hidden:\n:maxdepth: 1\n:caption: The course\n\n"
                 f"setup\n{docs}\n```\n")
    if extra:
        parts.append("```{toctree}\n:hidden:\n:caption: Reference\n\n" + "\n".join(extra)
                     + "\n```\n")
    return "\n".join(parts)


def setup_page(cfg: Settings) -> str:
    """The site's ``setup.md``: Binder, or your own computer without ``make``."""
    return f"""# Set-up

## On Binder: nothing to install

Every page has a rocket button at the top: *Binder* opens that notebook in JupyterLab on
mybinder.org, with everything the course needs (dcmtk, dciodvfy and the Orthanc PACS included).
Or start at the first notebook: [launch the course on Binder]({binder_url(cfg.repository)}).
The first start can take a few minutes while Binder builds the environment. A Binder session
stops after about 10 idle minutes and keeps nothing: download a notebook you changed
(*File › Download*) before you leave.

## On your own computer

You need Python 3.11 or newer and the course's files: clone the
[repository]({cfg.repository}) with git, or download it as a ZIP file and unpack it. Then, in
the course's folder, make a virtual environment, install the pinned packages (the list Binder
installs) and the course's helpers (`workshop_helpers`), and start JupyterLab.

macOS and Linux, in a terminal:

```bash
python3 -m venv .venv
source .venv/bin/activate
pip install -r binder/requirements.txt
pip install --no-deps -e .
jupyter lab --config=binder/jupyter_server_config.py notebooks/
```

Windows, in PowerShell (if it refuses to run `Activate.ps1`, run
`Set-ExecutionPolicy -Scope CurrentUser RemoteSigned` once):

```powershell
py -m venv .venv
.venv\\Scripts\\Activate.ps1
pip install -r binder/requirements.txt
pip install --no-deps -e .
jupyter lab --config=binder/jupyter_server_config.py notebooks/
```

JupyterLab opens in your browser on the folder of notebooks: start with `00_welcome.ipynb`. The
first install downloads the packages once and takes {INSTALL_SIZE} of disk in `.venv` (measured on
Linux). Next time, activate `.venv` again (the second line) and start JupyterLab (the last line).
With `make` (macOS, Linux), `make lab` does all of this.

The real programs the course talks to, dcmtk, dciodvfy and the Orthanc PACS, are optional on your
own computer: the cells that need them say so when they are missing.

## Stopping

Save your work (*File › Save*), then choose *File › Shut Down* in JupyterLab, or press Ctrl+C in
the terminal where it runs and answer `y`. Closing the browser tab alone leaves the server and
its kernels running.

## Starting a notebook afresh

A notebook you ran and saved keeps its outputs. To get the course's copy back, restore it with
git (`git checkout -- notebooks/03_anatomy.ipynb`, or `git restore`), or download it again from
its page here (the download button, *.ipynb*).
"""


def hide_hidden_source(cell: dict) -> dict:
    """Tag ``hide-input`` a cell whose source JupyterLab hides, so that the site folds it too.

    JupyterLab hides a cell with ``jupyter.source_hidden`` (an exercise's set-up, a solution);
    ``hide-input`` is myst-nb's tag for the same.

    Examples
    --------
    >>> hide_hidden_source({"metadata": {"jupyter": {"source_hidden": True}}})["metadata"]["tags"]
    ['hide-input']
    >>> hide_hidden_source({"metadata": {}})
    {'metadata': {}}
    """
    meta = cell["metadata"]
    if meta.get("jupyter", {}).get("source_hidden"):
        tags = meta.setdefault("tags", [])
        if "hide-input" not in tags:
            tags.append("hide-input")
    return cell


def deck_index(notebooks: list[Path], decks: list[Path], title: str) -> str:
    """The decks' ``index.html``: each deck by its notebook's title, with its time.

    Examples
    --------
    >>> from tooling.publish import course_notebooks
    >>> page = deck_index(course_notebooks()[:1], [Path("00_welcome.slides.html")], "Course")
    >>> '<a href="00_welcome.slides.html">00 · Welcome' in page, "minutes" in page
    (True, True)
    """
    items = []
    for path, deck in zip(notebooks, decks, strict=True):
        about = overview(path)
        time = f" <small>(about {about.minutes} minutes for self-study)</small>" if about.minutes else ""
        items.append(f'<li><a href="{html.escape(deck.name)}">{html.escape(about.title)}</a>'
                     f"{time}</li>")
    return (f"<!DOCTYPE html><html lang=en><meta charset=utf-8>"
            f"<meta name=viewport content=\"width=device-width, initial-scale=1\">"
            f"<title>{title}: slides</title><main><h1>{title}: slides</h1>"
            f"<p>One deck per notebook. Keys: arrows to move, S for the speaker notes, "
            f"Esc for an overview.</p><ul>{''.join(items)}</ul></main></html>\n")


# ----------------------------------------------------------------------------- theme fixes

COURSE_JS = """// Added by tooling.site_pages (make site).
// sphinx-book-theme 1.4 and pydata-sphinx-theme 0.20 both render a button of class
// primary-toggle, and both themes attach their handlers to the first one only
// (document.querySelector): the visible one, in the article header, does nothing at any width
// (pydata-sphinx-theme issue 2451, sphinx-book-theme issue 988). A click on any other
// primary-toggle is handed to the first, whose handlers open the sidebar as a dialog on a
// narrow screen and fold it away on a wide one. Remove this file when a release fixes it.
document.addEventListener("DOMContentLoaded", () => {
  const toggles = document.querySelectorAll(".primary-toggle");
  toggles.forEach((button, i) => {
    if (i === 0) return;
    button.addEventListener("click", (event) => {
      event.preventDefault();
      event.stopImmediatePropagation();
      toggles[0].click();
    });
  });
});
"""

COURSE_CSS = """/* Added by tooling.site_pages (make site). */
.site-note { font-size: 85%; font-style: italic; }
"""

# The accessible name of a control must contain its visible text (WCAG 2.5.3, axe's
# label-content-name-mismatch): the theme names the search field "Search" while it shows
# "Search Ctrl+K", myst-nb names "Show code cell source" "Toggle hidden content". Without the
# aria-label the visible text is the name. And the primary sidebar, whose first item (the site's
# title) is outside its <nav>, becomes a landmark of its own (axe's region).
_MISMATCHED_NAMES = [
    (re.compile(r'(<button class="btn search-button-field[^>]*?) aria-label="Search"'), r"\1"),
    (re.compile(r'<summary aria-label="Toggle hidden content">'), "<summary>"),
    (re.compile(r'<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar">'),
     '<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar" role="region" '
     'aria-label="The course">'),
]


def tidy_page(html: str) -> str:
    """A built page with the accessible names of its controls fixed (see ``_MISMATCHED_NAMES``).

    Examples
    --------
    >>> tidy_page('<summary aria-label="Toggle hidden content"><span>Show code</span>')
    '<summary><span>Show code</span>'
    """
    return _rewrite(html, _MISMATCHED_NAMES)
