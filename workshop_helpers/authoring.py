"""For course authors: build notebooks that follow the course conventions, and check them.

The conventions (see ``notebooks/README.md``):

- file name ``NN_topic.ipynb``, in teaching order;
- first cell (markdown): title, **Overview**, **Learning objectives**, **Prerequisites**, **Time**;
- last cell (markdown): **Summary** and **What's next**;
- no outputs and no execution counts in git;
- every cell carries slide metadata (``slideshow.slide_type``), so the notebook is also a deck;
- at least two exercises, each with a solution cell tagged ``solution`` whose source is hidden,
  and a final ``exercises.summary()`` call;
- code cells stay short (heavy code lives in ``workshop_helpers``);
- a cell that fails on purpose starts with ``# NBVAL_RAISES_EXCEPTION`` (for nbval) and is tagged
  ``raises-exception`` (so JupyterLab's *Run All* and ``nbconvert --execute`` go on past it).

Examples
--------
>>> nb = notebook([md("# T"), code("x = 1", slide="fragment")])
>>> nb.cells[1].metadata["slideshow"]["slide_type"]
'fragment'
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

__all__ = ["md", "code", "solution", "raises", "notebook", "write_notebook", "convention_problems"]

SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
MAX_CODE_LINES = 30
NAME = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")


def md(text: str, slide: str = "slide") -> nbformat.NotebookNode:
    """A markdown cell; ``slide`` is its slide type (``slide``, ``subslide``, ``fragment``, ``-``, ``skip``)."""
    cell = nbformat.v4.new_markdown_cell(text.strip("\n"))
    cell.metadata["slideshow"] = {"slide_type": slide}
    return cell


def code(src: str, slide: str = "-", tags: tuple[str, ...] = (), hidden: bool = False
         ) -> nbformat.NotebookNode:
    """A code cell with slide metadata, optional tags and optionally hidden source."""
    cell = nbformat.v4.new_code_cell(src.strip("\n"))
    cell.metadata["slideshow"] = {"slide_type": slide}
    if tags:
        cell.metadata["tags"] = list(tags)
    if hidden:
        cell.metadata["jupyter"] = {"source_hidden": True}
    return cell


def solution(src: str) -> nbformat.NotebookNode:
    """A solution cell: tagged ``solution``, source collapsed, skipped in the slides.

    It runs in the test run, where a wrong answer raises (see :mod:`workshop_helpers.exercises`).
    """
    return code(src, slide="skip", tags=("solution",), hidden=True)


def raises(src: str, slide: str = "-") -> nbformat.NotebookNode:
    """A cell that fails on purpose: marked for nbval, and tagged so *Run All* goes on past it."""
    if not src.lstrip().startswith("# NBVAL_RAISES_EXCEPTION"):
        src = "# NBVAL_RAISES_EXCEPTION\n" + src.strip("\n")
    return code(src, slide=slide, tags=("raises-exception",))


def notebook(cells: list) -> nbformat.NotebookNode:
    """A notebook with a Python 3 kernel and the given cells."""
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def write_notebook(path: str | Path, cells: list) -> Path:
    """Write ``cells`` as a notebook to ``path`` and return the path."""
    path = Path(path)
    nb = notebook(cells)
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
    return path


def convention_problems(path: str | Path) -> list[str]:
    """Every way the notebook at ``path`` breaks the course conventions (empty list: none)."""
    path = Path(path)
    problems: list[str] = []
    if not NAME.match(path.name):
        problems.append(f"name {path.name!r} is not NN_topic.ipynb")
    nb = nbformat.read(str(path), as_version=4)
    cells = nb.cells
    if not cells:
        return problems + ["the notebook has no cells"]
    first, last = cells[0], cells[-1]
    if first.cell_type != "markdown":
        problems.append("the first cell is not markdown")
    else:
        for word in ("Overview", "Learning objectives", "Prerequisites", "Time"):
            if word.lower() not in first.source.lower():
                problems.append(f"the first cell does not say {word!r}")
    if last.cell_type != "markdown":
        problems.append("the last cell is not markdown")
    else:
        for word in ("Summary", "What's next"):
            if word.lower() not in last.source.lower():
                problems.append(f"the last cell does not say {word!r}")
    solutions = 0
    for n, cell in enumerate(cells):
        where = f"cell {n}"
        slide = cell.metadata.get("slideshow", {}).get("slide_type")
        if slide not in SLIDE_TYPES:
            problems.append(f"{where} has no slide type (metadata.slideshow.slide_type)")
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"{where} has outputs: clear them before committing")
        if cell.get("execution_count") is not None:
            problems.append(f"{where} has an execution count: clear outputs before committing")
        tags = cell.metadata.get("tags", [])
        if "NBVAL_RAISES_EXCEPTION" in cell.source and "raises-exception" not in tags:
            problems.append(
                f"{where} fails on purpose but lacks the tag 'raises-exception' "
                "(without it JupyterLab's Run All and nbconvert stop there)"
            )
        if "solution" in tags:
            solutions += 1
            if not cell.metadata.get("jupyter", {}).get("source_hidden"):
                problems.append(f"{where} is a solution whose source is not hidden")
        elif len(cell.source.splitlines()) > MAX_CODE_LINES:
            problems.append(
                f"{where} has {len(cell.source.splitlines())} lines of code "
                f"(more than {MAX_CODE_LINES}: move code into workshop_helpers)"
            )
    if solutions < 2:
        problems.append(f"{solutions} solution cell(s): every notebook has at least two exercises")
    if not any(c.cell_type == "code" and "summary()" in c.source for c in cells):
        problems.append("no code cell calls exercises.summary()")
    return problems
