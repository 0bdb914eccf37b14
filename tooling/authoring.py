"""For course authors: build notebooks that follow the course conventions, and check them.

The conventions (see ``notebooks/README.md``):

- file name ``NN_topic.ipynb``, in teaching order;
- first cell (markdown): title, **Overview**, **Learning objectives**, **Prerequisites**, **Time**;
- last cell (markdown): **Summary** and **What's next**;
- no outputs and no execution counts in git;
- every cell carries slide metadata (``slideshow.slide_type``), so the notebook is also a deck;
- at least two exercises, each with a solution cell tagged ``solution`` whose source is hidden,
  and a final ``exercises.summary()`` call;
- a solution cell starts with a comment that gives nothing away (JupyterLab shows the first line
  of a collapsed cell), then the guard ``if exercises.show_solution():`` with the solution indented
  under it, so that *Run All* in learner mode does not solve the exercise;
- no later cell reads a name that only a solution cell sets (in learner mode it is never set);
- code cells stay short (heavy code lives in ``workshop_helpers``);
- a cell that fails on purpose is tagged ``raises-exception``: nbval reads the tag (as it reads a
  ``# NBVAL_RAISES_EXCEPTION`` comment, which learners would see, so we do not write it), and
  JupyterLab's *Run All* and ``nbconvert --execute`` go on past it; the course's own errors show
  their one-line message there, not a traceback (:mod:`workshop_helpers.errors`);
- a section whose heading starts ``Going further:`` is optional (:data:`OPTIONAL_MARK`): it runs
  to the next heading of its level or above, and no core cell reads a name only it sets;
- the **Time** in the first cell is the core's, within ±25 % of :func:`estimated_minutes`, then
  ``plus about N`` for the optional sections (:func:`time_line` writes it).

Examples
--------
>>> nb = notebook([md("# T"), code("x = 1", slide="fragment")])
>>> nb.cells[1].metadata["slideshow"]["slide_type"]
'fragment'
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path
from typing import NamedTuple

import nbformat

__all__ = ["md", "code", "solution", "raises", "notebook", "write_notebook", "convention_problems",
           "is_instructor_notes", "Estimate", "estimate", "estimated_minutes", "stated_minutes", "course_minutes",
           "OPTIONAL_MARK", "optional_parts", "stated_optional_minutes", "time_line",
           "TrackPart", "WORKSHOP_TRACK", "track_problems", "track_table"]

SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
MAX_CODE_LINES = 15
SOLUTION_COMMENT = "# Solution - try the exercise yourself first"
SOLUTION_GUARD = "if exercises.show_solution():"
NBVAL_COMMENT = "# NBVAL_RAISES_EXCEPTION"
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
    r"""A solution cell: tagged ``solution``, source collapsed, skipped in the slides.

    ``src`` is the plain solution; it gets the first-line comment and the guard
    ``if exercises.show_solution():``, so it runs only in the test run (where a wrong answer
    raises, see :mod:`workshop_helpers.exercises`) or when a learner runs it on purpose.

    Examples
    --------
    >>> print(solution("answer = 42\nex.check(answer)").source)
    # Solution - try the exercise yourself first
    if exercises.show_solution():
        answer = 42
        ex.check(answer)
    """
    src = src.strip("\n")
    if "show_solution(" not in src:
        src = f"{SOLUTION_COMMENT}\n{SOLUTION_GUARD}\n" + textwrap.indent(src, "    ")
    return code(src, slide="skip", tags=("solution",), hidden=True)


def raises(src: str, slide: str = "-") -> nbformat.NotebookNode:
    r"""A cell that fails on purpose, tagged ``raises-exception``.

    The tag alone tells nbval that the error is expected (nbval's plugin reads the cell tags as
    well as the ``# NBVAL_RAISES_EXCEPTION`` comment) and lets *Run All* go on past the cell; no
    comment line is shown to learners. A leading ``# NBVAL_RAISES_EXCEPTION`` line in ``src`` is
    dropped.

    Examples
    --------
    >>> cell = raises("# NBVAL_RAISES_EXCEPTION\n1 / 0")
    >>> cell.source, cell.metadata["tags"]
    ('1 / 0', ['raises-exception'])
    """
    lines = src.strip("\n").splitlines()
    if lines and lines[0].strip() == NBVAL_COMMENT:
        lines = lines[1:]
    return code("\n".join(lines), slide=slide, tags=("raises-exception",))


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
        if "time" in first.source.lower():
            problems += _time_problems(path, first.source)
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
        if is_instructor_notes(cell):
            problems += [f"{where} {p}" for p in _instructor_notes_problems(cell)]
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"{where} has outputs: clear them before committing")
        if cell.get("execution_count") is not None:
            problems.append(f"{where} has an execution count: clear outputs before committing")
        tags = cell.metadata.get("tags", [])
        problems += [f"{where} {p}" for p in _on_purpose_problems(cell.source, tags)]
        if "solution" in tags:
            solutions += 1
            if not cell.metadata.get("jupyter", {}).get("source_hidden"):
                problems.append(f"{where} is a solution whose source is not hidden")
            problems += [f"{where} {p}" for p in _solution_problems(cell.source)]
        elif len(cell.source.splitlines()) > MAX_CODE_LINES:
            problems.append(
                f"{where} has {len(cell.source.splitlines())} lines of code "
                f"(more than {MAX_CODE_LINES}: move code into workshop_helpers)"
            )
    problems += _reads_of_solution_names(cells) + _reads_of_optional_names(cells)
    if solutions < 2:
        problems.append(f"{solutions} solution cell(s): every notebook has at least two exercises")
    if not any(c.cell_type == "code" and "summary()" in c.source for c in cells):
        problems.append("no code cell calls exercises.summary()")
    return problems


# ----------------------------------------------------------------------------- honest times

#: Reading speed for technical prose, read for understanding by a newcomer (words per minute).
WORDS_PER_MINUTE = 110
#: Running one visible code cell and reading what it prints or draws (minutes).
MINUTES_PER_CODE_CELL = 0.5
#: Reading one line of a visible code cell to understand it (minutes): 10 lines a minute.
MINUTES_PER_CODE_LINE = 0.1
#: Reading an exercise, trying, reading the hint, trying again (minutes).
MINUTES_PER_EXERCISE = 8
#: How far the stated Time may be from the estimate (a fraction of the estimate) ...
TIME_TOLERANCE = 0.25
#: ... or in minutes, whichever is more (one rounding step: short optional parts).
TIME_SLACK = 5
#: A section whose heading starts with this is optional: the core path of the course skips it.
OPTIONAL_MARK = "Going further:"
#: The parts of a notebook :func:`estimate` can count.
PARTS = ("core", "optional", "all")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_TIME = re.compile(r"\*\*Time\*\*\s*:?\s*(?:about\s+)?(\d+)\s*min", re.IGNORECASE)
_OPTIONAL_TIME = re.compile(r"\*\*Time\*\*[^\n]*?\bplus\s+(?:about\s+)?(\d+)", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")


class Estimate(NamedTuple):
    """How long a newcomer needs for a notebook, in minutes, and from what."""

    reading: float     #: prose words / WORDS_PER_MINUTE
    cells: float       #: visible code cells * MINUTES_PER_CODE_CELL
    exercises: float   #: solution cells * MINUTES_PER_EXERCISE
    words: int
    code_cells: int
    exercise_count: int
    code: float = 0.0  #: lines of visible code * MINUTES_PER_CODE_LINE
    code_lines: int = 0

    @property
    def total(self) -> float:
        """Minutes in all: reading prose and code, running the code cells and the exercises."""
        return self.reading + self.code + self.cells + self.exercises


def _prose_words(markdown: str) -> int:
    """Words a reader reads: tokens with a letter or digit; link targets (URLs) are not read."""
    return sum(1 for w in _LINK_TARGET.sub("]", markdown).split() if re.search(r"\w", w))


def _instructor_notes_problems(cell: nbformat.NotebookNode) -> list[str]:
    """An instructor-notes cell stays closed for learners: a ``<details>`` block, source hidden.

    JupyterLab shows a markdown cell's source again whenever the cell is run (*Run All*
    included), whatever ``jupyter.source_hidden`` says; a ``<details>`` block that opens on a
    click keeps the notes to one closed line for a learner after *Run All* too.
    """
    problems = []
    text = cell.source.strip()
    if cell.cell_type != "markdown":
        problems.append("holds instructor notes but is not markdown")
    if not (text.startswith("<details>") and text.endswith("</details>")):
        problems.append("holds instructor notes outside a <details> block (Run All would show "
                        "them to learners)")
    if not cell.metadata.get("jupyter", {}).get("source_hidden"):
        problems.append("holds instructor notes whose source is not hidden")
    return problems


def is_instructor_notes(cell: nbformat.NotebookNode) -> bool:
    """Whether a cell holds instructor notes: tagged ``instructor-notes`` or of slide type ``notes``.

    The one test of what is for the instructor: :func:`convention_problems` checks that such a
    cell stays closed for learners, :func:`estimate` does not count its words, the site leaves it
    out and the decks show it open, as speaker notes.

    Examples
    --------
    >>> is_instructor_notes(md("Say this aloud.", slide="notes")), is_instructor_notes(md("x"))
    (True, False)
    >>> is_instructor_notes(nbformat.v4.new_markdown_cell("x", metadata={"tags": ["instructor-notes"]}))
    True
    """
    meta = cell.get("metadata", {})
    return ("instructor-notes" in meta.get("tags", [])
            or meta.get("slideshow", {}).get("slide_type") == "notes")


def optional_parts(cells: list) -> list[tuple[int, str, bool]]:
    r"""Each cell (a markdown cell cut at its headings) as ``(index, text, optional)``.

    A section is optional from a heading that starts with :data:`OPTIONAL_MARK` up to the next
    heading of the same or a higher level that does not: its own sub-headings belong to it.

    Examples
    --------
    >>> cells = [md("## Core"), code("x = 1"), md("## Going further: more\n### Deeper"),
    ...          code("y = 2"), md("Last words.\n## Summary")]
    >>> [(n, optional) for n, _, optional in optional_parts(cells)]
    [(0, False), (1, False), (2, True), (3, True), (4, True), (4, False)]
    """
    parts: list[tuple[int, str, bool]] = []
    level = None                                   # the level of the optional heading in force
    for n, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            parts.append((n, cell.source, level is not None))
            continue
        chunks: list[tuple[bool, list[str]]] = [(level is not None, [])]
        fenced = False
        for line in cell.source.splitlines():
            fenced ^= line.lstrip().startswith("```")
            heading = None if fenced else _HEADING.match(line)
            if heading and (level is None or len(heading.group(1)) <= level):
                level = len(heading.group(1)) if heading.group(2).startswith(OPTIONAL_MARK) else None
                if (level is not None) != chunks[-1][0]:
                    chunks.append((level is not None, []))
            chunks[-1][1].append(line)
        parts += [(n, "\n".join(lines), optional) for optional, lines in chunks if lines]
    return parts


def estimate(path: str | Path, part: str = "core") -> Estimate:
    """The time a newcomer needs for a notebook: reading, running cells, exercises.

    ``part``: ``"core"`` (the default: what a learner must do), ``"optional"`` (the sections
    marked :data:`OPTIONAL_MARK`, see :func:`optional_parts`) or ``"all"``; the same formula
    for each.

    The formula: every word of markdown at :data:`WORDS_PER_MINUTE` (110, technical text read for
    understanding; link targets and instructor notes - :func:`is_instructor_notes` - not
    counted); :data:`MINUTES_PER_CODE_CELL` (0.5) for each code cell a learner runs and reads
    what it prints (hidden set-up cells and solutions excluded) plus
    :data:`MINUTES_PER_CODE_LINE` (0.1) for each line of it, read to understand; and
    :data:`MINUTES_PER_EXERCISE` (8) for each exercise (one per solution cell). Calibration: a
    newcomer's timed read-through of notebooks 00-08 took about 350 minutes (prose, cells and
    exercises alone gave 372); a newcomer took about 65 and 60 minutes for the code-heavy
    notebooks 07 and 09, where prose, cells and exercises alone gave 51 and 46 - their 150 and
    144 lines of code at 10 lines a minute make up the difference.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "99_t.ipynb"
    >>> _ = write_notebook(path, [md(" ".join(["word"] * 220)), code("x = 1"), code("x"),
    ...                           solution("answer = 1")])
    >>> e = estimate(path); (e.reading, e.code, e.cells, e.exercises, e.total)
    (2.0, 0.2, 1.0, 8, 11.2)
    >>> _ = write_notebook(path, [md("## Core"), code("x = 1"), md("## Going further: why"),
    ...                           code("y = 2"), solution("answer = 1")])
    >>> [round(estimate(path, part).total, 2) for part in PARTS]
    [0.61, 8.63, 9.24]
    """
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}, not {part!r}")
    cells = nbformat.read(str(path), as_version=4).cells
    words = runs = exercises = lines = 0
    for n, text, optional in optional_parts(cells):
        cell = cells[n]
        if part != "all" and optional != (part == "optional"):
            continue
        if cell.cell_type == "markdown" and not is_instructor_notes(cell):
            words += _prose_words(text)
        elif cell.cell_type != "code":
            continue
        elif "solution" in cell.metadata.get("tags", []):
            exercises += 1
        elif not cell.metadata.get("jupyter", {}).get("source_hidden"):
            runs += 1
            lines += sum(1 for line in cell.source.splitlines() if line.strip())
    return Estimate(words / WORDS_PER_MINUTE, runs * MINUTES_PER_CODE_CELL,
                    exercises * MINUTES_PER_EXERCISE, words, runs, exercises,
                    lines * MINUTES_PER_CODE_LINE, lines)


def estimated_minutes(path: str | Path, step: int = 5, part: str = "core") -> int:
    """:func:`estimate`'s total, rounded to ``step`` minutes (at least ``step``; 0 for no optional part)."""
    minutes = estimate(path, part).total
    return 0 if part == "optional" and not minutes else max(step, step * round(minutes / step))


def stated_minutes(first_cell: str) -> int | None:
    """The minutes the first cell states after **Time** (``None`` if it states none).

    Examples
    --------
    >>> stated_minutes("**Time**: about 45 minutes (reading 13, cells 8, exercises 24).")
    45
    >>> stated_minutes("**Time**: soon") is None
    True
    """
    found = _TIME.search(first_cell)
    return int(found.group(1)) if found else None


def stated_optional_minutes(first_cell: str) -> int | None:
    """The minutes the **Time** line gives the optional sections (``None`` if it gives none).

    Examples
    --------
    >>> stated_optional_minutes("**Time**: about 45 minutes (reading 13, cells 8, exercises 24), "
    ...                         "plus about 15 minutes of optional *Going further* sections.")
    15
    >>> stated_optional_minutes("**Time**: about 45 minutes.") is None
    True
    """
    found = _OPTIONAL_TIME.search(first_cell)
    return int(found.group(1)) if found else None


def time_line(path: str | Path, step: int = 5) -> str:
    """The **Time** line for a notebook's first cell: the core, its parts, then the optional sections."""
    core, extra = estimate(path), estimated_minutes(path, step, "optional")
    line = (f"**Time**: about {estimated_minutes(path, step)} minutes (reading {core.reading:.0f}, "
            f"cells {core.cells + core.code:.0f}, exercises {core.exercises:.0f})")
    return line + (f", plus about {extra} minutes of optional *Going further* sections." if extra else ".")


def course_minutes(folder: str | Path, part: str = "core") -> int:
    """The course for a newcomer: :func:`estimated_minutes` of ``part``, summed over ``NN_*.ipynb``."""
    return sum(estimated_minutes(p, part=part) for p in sorted(Path(folder).glob("*.ipynb"))
               if NAME.match(p.name))


class TrackPart(NamedTuple):
    """One part of the 90-minute workshop: what an instructor shows live, and for how long."""

    notebook: str               #: e.g. ``"02_space"``; empty for a part without a notebook
    sections: tuple[str, ...]   #: the start of each section heading shown live, as in the notebook
    minutes: int


#: The 90-minute workshop track: the sections an instructor shows live. Everything else - every
#: exercise, the other sections, notebooks 08 and 10 - is self-study.
WORKSHOP_TRACK: tuple[TrackPart, ...] = (
    TrackPart("00_welcome", ("A first look at a real DICOM file",), 5),
    TrackPart("01_history", ("Analyze 7.5: 348 bytes of C structs", "Surprise 1: byte order",
                             "Surprise 2: left or right?", "NIfTI's fix: qform and sform"), 10),
    TrackPart("02_space", ("Five attributes that place an image", "From pixel to patient: the affine",
                           "Head first or feet first?"), 15),
    TrackPart("03_anatomy", ("A file is bytes", "The file meta information",
                             "Data elements: tag, VR, length, value"), 10),
    TrackPart("04_from_empty_dump", ("Step 1 — an empty dump becomes a file", "Step 2", "Step 3",
                                     "Step 4 — edit: spot the mistake", "Step 5 — a file again"), 10),
    TrackPart("05_uids", ("The rules, and a UID of your own",), 5),
    TrackPart("06_private_tags", ("The block on the slide",
                                  "De-identification: what the standard asks for"), 10),
    TrackPart("07_network", ("An association, step by step", "C-ECHO: is anybody there?",
                             "C-STORE and its report", "Failure 2: no presentation context accepted"), 10),
    TrackPart("09_pacs", ("The workstation asks: which patients?", "Fetch it with C-MOVE",
                          "When it goes wrong (1)"), 10),
    TrackPart("", ("Questions, and where to go on from here",), 5),
)


def _headings(path: Path) -> list[str]:
    nb = nbformat.read(str(path), as_version=4)
    return [line.lstrip("#").strip() for c in nb.cells if c.cell_type == "markdown"
            for line in c.source.splitlines() if re.match(r"#{2,3} ", line)]


def track_problems(folder: str | Path, track: tuple[TrackPart, ...] = WORKSHOP_TRACK,
                   total: int = 90) -> list[str]:
    """What is wrong with the workshop track: its minutes do not add up, or a section is gone."""
    problems = []
    if sum(part.minutes for part in track) != total:
        problems.append(f"the track takes {sum(p.minutes for p in track)} minutes, not {total}")
    for part in track:
        if not part.notebook:
            continue
        path = Path(folder) / f"{part.notebook}.ipynb"
        if not path.exists():
            problems.append(f"the track names {path.name}, which does not exist")
            continue
        headings = _headings(path)
        problems += [f"{path.name} has no section starting {s!r}" for s in part.sections
                     if not any(h.startswith(s) for h in headings)]
    return problems


def track_table(folder: str | Path | None = None, link_prefix: str = "",
                track: tuple[TrackPart, ...] = WORKSHOP_TRACK) -> str:
    """The workshop track as a markdown table.

    ``folder``: where the notebooks are, to show each section's full heading; ``link_prefix``: the
    path from the page that shows the table to the notebooks (``"notebooks/"`` for the README).
    """
    rows = ["| Part | Notebook | Shown live (sections) | Minutes |", "| --- | --- | --- | --- |"]
    for n, part in enumerate(track, 1):
        sections = list(part.sections)
        if folder is not None and part.notebook:
            headings = _headings(Path(folder) / f"{part.notebook}.ipynb")
            sections = [next((h for h in headings if h.startswith(s)), s) for s in sections]
        where = f"[{part.notebook}]({link_prefix}{part.notebook}.ipynb)" if part.notebook else "—"
        rows.append(f"| {n} | {where} | {'; '.join(sections)} | {part.minutes} |")
    rows.append(f"| | | **Total** | **{sum(p.minutes for p in track)}** |")
    return "\n".join(rows)


def _time_problems(path: Path, first_cell: str) -> list[str]:
    stated = stated_minutes(first_cell)
    if stated is None:
        return ["the first cell states no **Time** in minutes (e.g. '**Time**: about 45 minutes')"]
    problems = []
    guess = estimate(path).total
    if abs(stated - guess) > max(TIME_TOLERANCE * guess, TIME_SLACK):
        problems.append(f"the first cell says {stated} minutes; a newcomer needs about {guess:.0f} "
                        f"for the core (authoring.estimated_minutes: {estimated_minutes(path)}); "
                        f"keep within ±{TIME_TOLERANCE:.0%}")
    said, extra = stated_optional_minutes(first_cell), estimate(path, "optional").total
    if said is None and extra:
        problems.append(f"the first cell gives no time for the optional sections (about "
                        f"{extra:.0f} minutes): write {time_line(path)!r}")
    elif said is not None and abs(said - extra) > max(TIME_TOLERANCE * extra, TIME_SLACK):
        problems.append(f"the first cell gives the optional sections {said} minutes; they take "
                        f"about {extra:.0f} (authoring.time_line: {time_line(path)!r})")
    return problems


def _on_purpose_problems(source: str, tags: list) -> list[str]:
    """A cell that fails on purpose is the one tagged ``raises-exception``; the comment is not needed."""
    if NBVAL_COMMENT not in source:
        return []
    if "raises-exception" not in tags:
        return ["fails on purpose but lacks the tag 'raises-exception' (without it JupyterLab's "
                "Run All and nbconvert stop there; with it the comment is not needed)"]
    return [f"shows {NBVAL_COMMENT!r} to learners: the tag 'raises-exception' is enough "
            "(nbval reads it), drop the comment line"]


def _names(tree: ast.AST, context: type) -> set[str]:
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, context)}
    if context is ast.Store:
        for n in ast.walk(tree):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(n.name)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                names |= {(a.asname or a.name).split(".")[0] for a in n.names}
    return names


def _parse(source: str) -> ast.AST | None:
    try:
        return ast.parse(source)
    except SyntaxError:  # IPython magics, shell escapes: not checked
        return None


def _solution_problems(source: str) -> list[str]:
    """What is wrong with a solution cell's first lines (comment, then the guard)."""
    lines = source.splitlines()
    first = lines[0].strip() if lines else ""
    if not first.startswith("#"):
        return ["is a solution whose first line is not a comment (a collapsed cell shows its first "
                f"line; start with e.g. {SOLUTION_COMMENT!r})"]
    problems = []
    tree = _parse(source)
    assigned = _names(tree, ast.Store) if tree else set()
    told = sorted(n for n in assigned if re.search(rf"\b{re.escape(n)}\b", first))
    if "=" in first or told:
        problems.append(f"is a solution whose first-line comment gives something away: {first!r}")
    code_lines = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
    if not code_lines or code_lines[0] != SOLUTION_GUARD:
        problems.append(f"is a solution without the guard {SOLUTION_GUARD!r} as its first line of "
                        "code (without it Run All solves the exercise)")
    return problems


def _reads_of_optional_names(cells: list) -> list[str]:
    """Core cells that read a name only an optional section sets (who skips it never ran it)."""
    problems: list[str] = []
    core: set[str] = set()
    only_optional: dict[str, int] = {}
    for n, _, optional in optional_parts(cells):
        tree = _parse(cells[n].source) if cells[n].cell_type == "code" else None
        if tree is None:
            continue
        stored = _names(tree, ast.Store)
        if optional:
            only_optional.update({name: n for name in stored - core})
            continue
        problems += [f"cell {n} reads {name!r}, which only the optional section in cell "
                     f"{only_optional[name]} sets" for name in sorted(_names(tree, ast.Load) - stored)
                     if name in only_optional]
        core |= stored
        for name in stored:
            only_optional.pop(name, None)
    return problems


def _reads_of_solution_names(cells: list) -> list[str]:
    """Later cells that read a name only a solution cell sets (in learner mode it is never set)."""
    problems: list[str] = []
    only_in_solution: dict[str, int] = {}
    for n, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        tree = _parse(cell.source)
        if tree is None:
            continue
        stored = _names(tree, ast.Store)
        if "solution" in cell.metadata.get("tags", []):
            only_in_solution.update(dict.fromkeys(stored, n))
            continue
        for name in sorted(_names(tree, ast.Load) - stored):
            if name in only_in_solution:
                problems.append(f"cell {n} reads {name!r}, which only the solution in cell "
                                f"{only_in_solution[name]} sets")
        for name in stored:
            only_in_solution.pop(name, None)
    return problems
